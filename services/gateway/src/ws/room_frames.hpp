#pragma once
// The WebSocket frames of rooms (docs/protocol.md "Rooms"): parsing room.* client frames and
// encoding the room frames the gateway produces. A room is joined like a conversation (its id
// is its conversation id), so message.send, typing and conversation.leave take the room id as
// `conversation_id`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include "ws/ws_protocol.hpp"

namespace botfactory::gateway {

/// Rooms' limits on client input.
inline constexpr int kDefaultRoomHistory = 50;  // room.history without limit
inline constexpr int kMaxRoomHistory = 200;     // messages per room.history answer

/// One online member of a room.
struct RoomPresenceMember {
  std::string kind;  // "user" | "visitor"
  std::string id;
  std::string name;
};

/// Parses `room.join` {room_id, since_seq ≥ 0}, `room.history` {room_id, before_seq ≥ 0 (0 =
/// from the newest), limit 1..200}, `room.presence` {room_id}; room_id 1..64 bytes. The room id
/// goes to ClientFrame::conversation_id. Unknown room.* types are `unknown_type`.
ParseResult parse_room_frame(const boost::json::object& object, const boost::json::string& type);

/// Whose membership a room frame ends: the sender of a member.removed / member.left event, as
/// the frame names it (kind "operator" for a user, "visitor" for a visitor).
struct MembershipEnd {
  std::string kind;
  std::string id;
};

/// The member whose membership `frame` (a message.new of a room) ends, when it is a
/// member.removed or member.left event; nullopt otherwise (also for malformed JSON). A cheap
/// substring check first, a parse only on a hit; never throws. The fan-out hub calls it once per
/// frame (not once per socket).
std::optional<MembershipEnd> membership_end(std::string_view frame);

/// True when `end` is `me` (same id, and kind "visitor" for a visitor, "operator" for a user):
/// the socket then stops receiving the room.
bool ends_membership_of(const MembershipEnd& end, const RoomPresenceMember& me);

/// membership_end(frame) is `me` (both of the above).
bool ends_membership_of(std::string_view frame, const RoomPresenceMember& me);

/// {"type":"room.joined","room_id":…,"conversation_id":…,"last_seq":N}: the room's replay
/// follows as message.new frames, then live ones.
std::string encode_room_joined(std::string_view room_id, std::int64_t last_seq);

/// {"type":"room.history","room_id":…,"before_seq":N,"messages":[<message.new frames>],
///  "more":bool}; `frames` are chatwire message.new frames, oldest first.
std::string encode_room_history(std::string_view room_id, std::int64_t before_seq,
                                const std::vector<std::string>& frames, bool more);

/// {"type":"room.presence","room_id":…,"count":N,"online":[{"kind","id","name"}…]}.
std::string encode_room_presence(std::string_view room_id,
                                 const std::vector<RoomPresenceMember>& online);

/// The ephemeral presence event on the room's Redis channel (no seq, never stored):
/// {"type":"presence","conversation_id":…,"state":"join"|"leave","member":{"kind","id","name"}}.
std::string encode_presence_event(std::string_view room_id, bool joined,
                                  const RoomPresenceMember& member);

}  // namespace botfactory::gateway
