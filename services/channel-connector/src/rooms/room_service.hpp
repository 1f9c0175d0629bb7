#pragma once
// Rooms (issue 11; docs/architecture.md "Rooms"): group conversations of a tenant's users and,
// in public rooms, its widget visitors, with roles, invite links and the tenant's bot as an
// optional member. Plain types in, RoomError out; room_grpc_service translates.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "botfactory/chat/v1/rooms.pb.h"
#include "rooms/room_repository.hpp"

namespace botfactory::channel {

class BotDirectory;
class ChatService;
class E2eeRoomKeys;

/// A refused room operation, independent of the transport.
class RoomError : public std::runtime_error {
 public:
  enum class Code { kInvalid, kNotFound, kForbidden, kConflict };
  RoomError(Code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Code code() const { return code_; }

 private:
  Code code_;
};

/// Who acts: a user of the tenant ("user", user id, username) or a widget visitor ("visitor",
/// the token's sub — stable across reconnects and token renewals — and its guest name).
struct Actor {
  std::string tenant_id;
  std::string kind;
  std::string id;
  std::string name;
};

/// Limits of room fields (code points) and pages.
struct RoomLimits {
  static constexpr std::size_t kMaxName = 100;
  static constexpr std::size_t kMaxTopic = 500;
  static constexpr int kDefaultPage = 50;
  static constexpr int kMaxRoomsPage = 200;
  static constexpr int kMaxMessagesPage = 500;
  static constexpr int kDefaultInviteTtlS = 7 * 24 * 3600;
  static constexpr int kMinInviteTtlS = 60;
  static constexpr int kMaxInviteTtlS = 30 * 24 * 3600;
};

/// The rules of rooms. Thread-safe (state lives in PostgreSQL). Every method validates the
/// actor (INVALID for an empty/malformed tenant, an unknown kind, an empty or over-long id or
/// name) and treats another tenant's room, and a private room the actor is not a member of, as
/// NOT_FOUND. Membership changes are committed with their event message (Message.event) and
/// published on the room's Redis channel like any message (`message.new`).
class RoomService {
 public:
  /// All references must outlive the service.
  RoomService(RoomRepository& repository, ChatService& chat, BotDirectory& bots);

  /// e2ee rooms (docs/e2ee.md): posts in them are checked by `keys` (E2eeError), the bot never
  /// answers and set_bot is CONFLICT "e2ee_room: …". Null (default): e2ee rooms are refused.
  void set_e2ee(E2eeRoomKeys* keys) { e2ee_ = keys; }

  /// Users only (FORBIDDEN for visitors). name 1..100 code points (trimmed), topic ≤ 500,
  /// visibility "public" (default) or "private". The creator is the owner. `e2ee` (docs/e2ee.md)
  /// only with "private" (INVALID otherwise).
  chat::v1::Room create(const Actor& actor, const std::string& name, const std::string& topic,
                        const std::string& visibility, bool e2ee = false);
  /// scope "mine" (default) or "public"; limit default 50, max 200.
  std::vector<chat::v1::Room> list(const Actor& actor, const std::string& scope, int limit);
  /// A room the actor may see (member, or any public room of its tenant).
  chat::v1::Room get(const Actor& actor, const std::string& room_id);
  /// Joins a public room (room_id) or the room of a valid invite (invite_token; users only).
  /// Idempotent for a member. NOT_FOUND for an unknown, expired or revoked invite.
  chat::v1::Room join(const Actor& actor, const std::string& room_id, const std::string& invite_token);
  /// Leaves; the owner must transfer ownership first (CONFLICT) unless it is the last member.
  /// Returns the seq of the member.left event.
  std::int64_t leave(const Actor& actor, const std::string& room_id);
  /// Admin or owner removes a member; an admin only plain members, nobody the owner; oneself is
  /// leave(). Returns the seq of the member.removed event.
  std::int64_t remove_member(const Actor& actor, const std::string& room_id,
                             const std::string& member_kind, const std::string& member_id);
  /// Owner only: role "admin" or "member" of another member.
  chat::v1::RoomMember set_role(const Actor& actor, const std::string& room_id,
                                const std::string& member_kind, const std::string& member_id,
                                const std::string& role);
  /// Owner only: a user member becomes the owner, the old owner an admin.
  chat::v1::Room transfer_ownership(const Actor& actor, const std::string& room_id,
                                    const std::string& member_kind, const std::string& member_id);
  /// Admin+: an invite token (32 random base62 characters, stored as SHA-256) valid for
  /// ttl_seconds (0 = 7 days; 60 .. 30 days).
  chat::v1::RoomInvite create_invite(const Actor& actor, const std::string& room_id, int ttl_seconds);
  /// Admin+: revokes an invite of the room (NOT_FOUND when unknown).
  void revoke_invite(const Actor& actor, const std::string& room_id, const std::string& invite_id);
  /// Members only.
  std::vector<chat::v1::RoomMember> members(const Actor& actor, const std::string& room_id);
  /// Members only: posts through ChatService (same seq, idempotency, fan-out and limits as any
  /// message; visitors' rate is counted per visitor and room). The room's bot answers only an
  /// `/ai <question>` or a message mentioning `@<bot name>` (case-insensitive).
  chat::v1::PostMessageResponse post(const Actor& actor, const std::string& room_id,
                                     const std::string& client_id, const std::string& text);
  /// Members only: before_seq > 0 → the newest `limit` before it; else seq > since_seq; both
  /// oldest first; limit default 50, max 500. Read as ListMessages reads a conversation
  /// (ChatService::history): messages in their final state (edited_at, tombstones), the
  /// `edited` / `deleted` events in the seq stream, attachments.
  std::vector<chat::v1::Message> history(const Actor& actor, const std::string& room_id,
                                         std::int64_t since_seq, std::int64_t before_seq, int limit);
  /// Admin+ (users): makes `bot_id` (a bot of the tenant; NOT_FOUND otherwise) the room's bot
  /// member, replacing the previous one; "" removes it.
  chat::v1::Room set_bot(const Actor& actor, const std::string& room_id, const std::string& bot_id);

  /// The question for the bot in `text` of a room whose bot is named `bot_name`: the /ai
  /// command's question, or the text without the mention when it mentions `@bot_name`
  /// (case-insensitive, followed by the end, whitespace or punctuation); nullopt otherwise.
  static std::optional<std::string> bot_question(const std::string& text, const std::string& bot_name);

 private:
  /// The room with the actor's role; NOT_FOUND when unknown, of another tenant, or private
  /// and the actor is not a member.
  chat::v1::Room visible_room(const Actor& actor, const std::string& room_id);
  /// visible_room() of a member; FORBIDDEN for a non-member of a public room.
  chat::v1::Room member_room(const Actor& actor, const std::string& room_id);
  /// Publishes committed event messages in order (holding the conversation's commit lane,
  /// ChatService::conversation_lock).
  void publish(const std::vector<chat::v1::Message>& events);

  RoomRepository& repository_;
  ChatService& chat_;
  BotDirectory& bots_;
  E2eeRoomKeys* e2ee_ = nullptr;
};

}  // namespace botfactory::channel
