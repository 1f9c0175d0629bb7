#pragma once
// The per-socket throttle of `typing` frames (docs/protocol.md, "Typing").

#include <chrono>
#include <string>
#include <unordered_map>

namespace botfactory::gateway {

/// Decides which of one socket's `typing` frames are relayed. Per conversation: a `start` at
/// most once per `interval` (a client repeats it while the person keeps typing); a `stop` only
/// after a relayed `start` (so at most two frames per interval reach the other sockets). Holds
/// one entry per conversation it was asked about; the session forgets a conversation when it
/// leaves it (at most 16 joined). Not thread-safe (the I/O thread).
class TypingThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TypingThrottle(Clock::duration interval = std::chrono::seconds(2))
      : interval_(interval) {}

  /// True when this frame (`start` or stop) is to be relayed at `now`.
  bool admit(const std::string& conversation_id, bool start, Clock::time_point now);
  /// The socket sent `message.send` in the conversation: a relayed `start` ends here, because
  /// every receiver ends a participant's typing on its `message.new` (docs/protocol.md "Typing";
  /// the session calls it for rooms, "Rooms"), so the `stop` a client sends right after posting
  /// is not relayed (a refused post leaves the receivers' typing to expire by itself). The 2 s
  /// start interval is unchanged. Returns true when a started typing was ended.
  bool posted(const std::string& conversation_id);
  /// Drops the conversation's entry (left or failed).
  void forget(const std::string& conversation_id) { entries_.erase(conversation_id); }
  void clear() { entries_.clear(); }

 private:
  struct Entry {
    Clock::time_point last_start{};
    bool started = false;  // the last relayed frame was a start
  };
  Clock::duration interval_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace botfactory::gateway
