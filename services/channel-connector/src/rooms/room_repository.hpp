#pragma once
// PostgreSQL access to rooms (V060): chat.rooms, chat.room_members, chat.room_invites and the
// membership events of a room's seq stream. SQL only; the rules live in room_service.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/chat/v1/rooms.pb.h"

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// A member identity: kind "user" | "visitor" | "bot", id, display name.
struct MemberRef {
  std::string kind;
  std::string id;
  std::string name;
};

/// A valid (unexpired, unrevoked) invite's room.
struct InviteTarget {
  std::string room_id;
  std::string tenant_id;
};

/// Repository over the pool. Every method borrows one connection and throws pg::Error on
/// database failures. Membership changes and their event message (chat.messages row with
/// `event`, next seq of the room's conversation under its row lock) commit together.
class RoomRepository {
 public:
  explicit RoomRepository(pg::Pool& pool);

  /// Creates the conversation (channel 'room', bot nil UUID), the room and `owner` as owner,
  /// plus the owner's member.joined event (seq 1); `e2ee` (private rooms only, V080 CHECK)
  /// starts at key_epoch 1. Returns the room (my_role owner) and event.
  std::pair<chat::v1::Room, chat::v1::Message> create(const std::string& tenant_id,
                                                      const std::string& name,
                                                      const std::string& topic,
                                                      const std::string& visibility,
                                                      const MemberRef& owner,
                                                      bool e2ee = false);

  /// The room of `tenant_id` with member_count and the role of `viewer` ("" when not a
  /// member); nullopt when unknown or of another tenant. `room_id` must be a UUID.
  std::optional<chat::v1::Room> get(const std::string& tenant_id, const std::string& room_id,
                                    const MemberRef& viewer);

  /// Rooms `viewer` is a member of (newest activity first), at most `limit`.
  std::vector<chat::v1::Room> list_mine(const std::string& tenant_id, const MemberRef& viewer,
                                        int limit);
  /// The tenant's public rooms (newest first), at most `limit`, with the viewer's role.
  std::vector<chat::v1::Room> list_public(const std::string& tenant_id, const MemberRef& viewer,
                                          int limit);

  /// Role of a member ("" when not a member).
  std::string role_of(const std::string& room_id, const std::string& kind, const std::string& id);

  /// Adds `member` with `role` and its member.joined event; nullopt when already a member.
  std::optional<chat::v1::Message> add_member(const std::string& room_id, const MemberRef& member,
                                              const std::string& role);
  /// Removes the member and writes `event` (member.left | member.removed) as that member; in an
  /// e2ee room the same transaction bumps key_epoch. nullopt when it was not a member.
  std::optional<chat::v1::Message> remove_member(const std::string& room_id,
                                                 const std::string& kind, const std::string& id,
                                                 const std::string& event);
  /// Sets a member's role and writes member.role (text = the role); nullopt when not a member.
  std::optional<chat::v1::Message> set_role(const std::string& room_id, const std::string& kind,
                                            const std::string& id, const std::string& role);
  /// In one transaction: `from` becomes admin, `to` owner (two member.role events, in order).
  /// Empty when `to` is not a member.
  std::vector<chat::v1::Message> transfer_owner(const std::string& room_id, const MemberRef& from,
                                                const MemberRef& to);

  /// Members ordered by role (owner, admin, member) then join time; at most 1000.
  std::vector<chat::v1::RoomMember> members(const std::string& room_id);

  /// Stores an invite (SHA-256 hex of the token) valid for `ttl_seconds`; returns id and expiry
  /// (µs since the epoch).
  std::pair<std::string, std::int64_t> create_invite(const std::string& room_id,
                                                     const std::string& token_hash,
                                                     const std::string& created_by,
                                                     int ttl_seconds);
  /// Marks an invite of the room revoked; false when unknown (or of another room).
  bool revoke_invite(const std::string& room_id, const std::string& invite_id);
  /// The room of an unexpired, unrevoked invite with this token hash.
  std::optional<InviteTarget> find_invite(const std::string& token_hash);

  /// The conversation's bot (its bot_id column) becomes `bot_id` (nil UUID when empty).
  void set_bot(const std::string& room_id, const std::string& bot_id);

 private:
  pg::Pool& pool_;
};

/// chat.messages.sender_kind of a member kind: user → "operator", visitor, bot.
std::string sender_kind_of_member(const std::string& member_kind);

}  // namespace botfactory::channel
