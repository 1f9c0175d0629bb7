// The rooms mode of bench_ws_load (docs/benchmarks.md "Rooms fan-out"): the members file and the
// posting schedule (who types and posts when). Pure logic; the sockets stay in ws_load.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace botfactory::bench {

/// One room member of the members file: a socket's token and the room it joins.
struct RoomMember {
  std::string token;    // a widget visitor token (or a user token) that is a member of the room
  std::string room_id;  // the room's id (= its conversation id)
};

/// Reads a members file: one "TOKEN ROOM_ID" line per member (bench/room_members.mjs writes
/// it, members of a room on consecutive lines). Empty lines are skipped. Throws
/// std::runtime_error when the file cannot be read or a line has no space.
std::vector<RoomMember> read_room_members(const std::string& path);

/// What one scheduled event does (docs/protocol.md "Rooms", "Typing").
enum class RoomAction : std::uint8_t {
  kTypingStart,  // {"type":"typing","state":"start"} of the coming sender
  kSend,         // message.send to the room, then (typing on) {"type":"typing","state":"stop"},
                 // as the chat page's rooms panel does on send (web/src/rooms-panel.ts)
};

/// One event of the schedule, at `at_ns` after the measured window's start (typing events of
/// the first messages fall before it: negative, down to -typing_lead_ns).
struct RoomEvent {
  std::int64_t at_ns = 0;
  std::uint32_t room = 0;    // index into the rooms (order of first appearance in the file)
  std::uint32_t member = 0;  // index of the member within its room
  RoomAction action = RoomAction::kSend;
};

/// The posting pattern of the rooms case.
struct RoomScheduleSettings {
  std::vector<std::uint32_t> members;  // members per room (its size = the room count)
  double rate_per_room = 2;            // messages/s in each room (not per member)
  double duration_s = 10;              // the measured window
  bool typing = true;                  // senders type before they post
  std::int64_t typing_lead_ns = 3'000'000'000;    // a sender starts typing this long before
  std::int64_t typing_repeat_ns = 2'500'000'000;  // and repeats `start` this often (as the
                                                  // rooms panel: above the gateway's 2 s
                                                  // throttle, so every repeat is relayed)
};

/// The whole schedule, sorted by time. Room r posts at offset_r + k / rate for every k with a
/// time in [0, duration) (offset_r = r / (rooms * rate): the rooms' posts interleave evenly);
/// the k-th post of a room comes from member (k + r) mod members (everyone posts in turn). With
/// typing on, every post is preceded by `start` at t - lead, t - lead + repeat, ... (< t), and
/// posts after the window contribute their starts that fall inside it, so the window sees the
/// steady-state typing rate. Throws std::invalid_argument on a non-positive rate or a room
/// without members.
std::vector<RoomEvent> room_schedule(const RoomScheduleSettings& settings);

}  // namespace botfactory::bench
