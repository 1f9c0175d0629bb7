#include "ws_load_rooms.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

namespace botfactory::bench {

std::vector<RoomMember> read_room_members(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the members file " + path);
  std::vector<RoomMember> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 >= line.size()) {
      throw std::runtime_error("a members line is \"TOKEN ROOM_ID\": " + line.substr(0, 80));
    }
    out.push_back(RoomMember{line.substr(0, space), line.substr(space + 1)});
  }
  return out;
}

std::vector<RoomEvent> room_schedule(const RoomScheduleSettings& s) {
  if (!(s.rate_per_room > 0)) throw std::invalid_argument("the room rate must be > 0");
  const auto rooms = s.members.size();
  if (rooms == 0) return {};
  for (auto n : s.members) {
    if (n == 0) throw std::invalid_argument("a room without members");
  }
  const double period_ns = 1e9 / s.rate_per_room;
  const auto window_ns = static_cast<std::int64_t>(s.duration_s * 1e9);
  const std::int64_t lead = s.typing ? s.typing_lead_ns : 0;
  std::vector<RoomEvent> events;
  events.reserve(static_cast<std::size_t>(
      static_cast<double>(rooms) * (s.duration_s + 1e-9 * static_cast<double>(lead)) *
      s.rate_per_room * (s.typing ? 3 : 1)) + 16);
  for (std::size_t r = 0; r < rooms; ++r) {
    const double offset = period_ns * static_cast<double>(r) / static_cast<double>(rooms);
    for (std::int64_t k = 0;; ++k) {
      auto at = static_cast<std::int64_t>(std::llround(offset + period_ns * static_cast<double>(k)));
      if (at >= window_ns + lead) break;
      auto member = static_cast<std::uint32_t>((static_cast<std::size_t>(k) + r) % s.members[r]);
      auto room = static_cast<std::uint32_t>(r);
      if (s.typing && s.typing_repeat_ns > 0) {
        for (std::int64_t t = at - lead; t < at; t += s.typing_repeat_ns) {
          if (t < window_ns) events.push_back(RoomEvent{t, room, member, RoomAction::kTypingStart});
        }
      }
      if (at < window_ns) events.push_back(RoomEvent{at, room, member, RoomAction::kSend});
    }
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const RoomEvent& a, const RoomEvent& b) { return a.at_ns < b.at_ns; });
  return events;
}

}  // namespace botfactory::bench
