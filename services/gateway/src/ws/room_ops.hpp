#pragma once
// The blocking upstream and Redis calls behind the rooms' WebSocket operations (docs/protocol.md
// "Rooms"): membership-checked join, replay, history, posting, typing and presence. Run on the
// worker pool; results are plain values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/jwt/tokens.hpp"
#include "ws/chat_frame.hpp"
#include "ws/chat_ops.hpp"
#include "ws/room_frames.hpp"

namespace botfactory::redis {
class BlockingClient;
class PresenceHeartbeat;
class Publisher;
}  // namespace botfactory::redis

namespace botfactory::chat::v1 {
class RoomActor;
}

namespace botfactory::gateway {

struct Upstreams;

/// A room's typing frame: chatwire's `typing` frame ({"type":"typing","conversation_id",
/// "state","sender":{"kind","id","name"}}) plus "expires_in_ms": a `start` not repeated within
/// it is over (clients drop it; nothing is stored).
std::string encode_room_typing(std::string_view room_id, bool typing, std::string_view kind,
                               std::string_view sender_id, std::string_view sender_name,
                               std::int64_t expires_in_ms);

/// Rooms' presence and typing timing.
struct RoomPresenceSettings {
  std::string key_prefix = "bf:";  // REDIS_KEY_PREFIX
  std::string replica;             // this gateway's unique name (VisitorPresence::unique_replica_name)
  /// A typing `start` not repeated within it is over (ROOM_TYPING_TTL_MS, default 6000).
  std::chrono::milliseconds typing_ttl{6000};
};

/// Stateless apart from the presence heartbeat it feeds; thread-safe.
class RoomOps {
 public:
  /// All references must outlive this; `publisher` and `reader` may be null (no typing /
  /// presence events, presence reads answer `unavailable`).
  RoomOps(const Upstreams& upstreams, redis::Publisher* publisher,
          redis::PresenceHeartbeat& heartbeat, redis::BlockingClient* reader,
          RoomPresenceSettings settings);

  /// The holder of `claims` as a room actor: a user {user, id, username (auth GetUser unless
  /// `cached_name` is set; then stored in `*looked_up`)} or a visitor {visitor, sub, name}.
  std::optional<OpError> member(const jwt::Claims& claims, const std::string& cached_name,
                                RoomPresenceMember& out, std::string* looked_up) const;

  /// May `me` join `room_id` (room GetRoom: a member)? `forbidden` for a non-member of a public
  /// room, `not_found` otherwise; `*last_seq` = the room's last seq.
  std::optional<OpError> authorize_join(const jwt::Claims& claims, const RoomPresenceMember& me,
                                        const std::string& room_id, std::int64_t* last_seq) const;

  /// message.new frames of messages (events included) with seq > since_seq, at most `limit`.
  std::optional<OpError> fetch_messages(const jwt::Claims& claims, const RoomPresenceMember& me,
                                        const std::string& room_id, std::int64_t since_seq,
                                        int limit, std::vector<SeqFrame>& out, bool* more) const;

  /// The `room.history` frame: the newest `limit` before `before_seq` (0 = the newest).
  std::optional<OpError> history(const jwt::Claims& claims, const RoomPresenceMember& me,
                                 const std::string& room_id, std::int64_t before_seq, int limit,
                                 std::string& frame) const;

  /// roomcore: room PostRoomMessage as `me` (membership checked by channel-connector, inside
  /// the append). Non-blocking like ChatOps::post_message_async (gRPC callback API under
  /// RPC_TIMEOUT_MS and the upstream breaker, the current thread's request id): `done` runs
  /// once on a gRPC thread (inline when the breaker is open or rooms are off), so it must hand
  /// its result to the socket's executor. Errors as api_error_from_grpc (`forbidden` for a
  /// non-member, `unavailable`, `invalid_argument`, ...).
  void post_message_async(const jwt::Claims& claims, const RoomPresenceMember& me,
                          const std::string& room_id, const std::string& client_id,
                          const std::string& text, ChatOps::PostDone done) const;

  /// Publishes a typing frame (encode_room_typing, expires_in_ms = typing_ttl). Never stored.
  void publish_typing(const RoomPresenceMember& me, const std::string& room_id, bool typing) const;

  /// Records `me` online (or no longer: one release per hold) in the room's presence set
  /// (redis::PresenceHeartbeat: written within ~20 ms, refreshed every PRESENCE_HEARTBEAT_MS,
  /// expiring after PRESENCE_TTL_MS). Only touches memory: safe on the I/O thread.
  void set_present(const std::string& room_id, const RoomPresenceMember& me, bool present) const;
  /// Publishes the ephemeral `presence` join/leave event on the room's channel (best effort,
  /// blocking: the worker pool).
  void announce(const std::string& room_id, const RoomPresenceMember& me, bool present) const;

  /// The members online in `room_id` now (deduplicated across replicas, at most 1000).
  std::optional<OpError> online(const std::string& room_id,
                                std::vector<RoomPresenceMember>& out) const;

 private:
  chat::v1::RoomActor actor(const jwt::Claims& claims, const RoomPresenceMember& me) const;
  std::string presence_member(const RoomPresenceMember& me) const;

  const Upstreams& upstreams_;
  redis::Publisher* publisher_;
  redis::PresenceHeartbeat& heartbeat_;
  redis::BlockingClient* reader_;
  RoomPresenceSettings settings_;
};

}  // namespace botfactory::gateway
