#include "ws/typing_throttle.hpp"

namespace botfactory::gateway {

bool TypingThrottle::admit(const std::string& conversation_id, bool start, Clock::time_point now) {
  auto [it, inserted] = entries_.try_emplace(conversation_id);
  Entry& entry = it->second;
  if (!start) {
    if (!entry.started) return false;
    entry.started = false;
    return true;
  }
  // At most one start per interval, also across a stop (start, stop, start within 2 s).
  if (!inserted && now - entry.last_start < interval_) return false;
  entry.last_start = now;
  entry.started = true;
  return true;
}

bool TypingThrottle::posted(const std::string& conversation_id) {
  auto it = entries_.find(conversation_id);
  if (it == entries_.end() || !it->second.started) return false;
  it->second.started = false;
  return true;
}

}  // namespace botfactory::gateway
