#pragma once
// When a Generate call writes its next `delta` (AI_DELTA_FLUSH_MS): the first text at once (time
// to first token), afterwards at most one delta per window, and whatever is held before the final.

#include <chrono>
#include <optional>

namespace botfactory::ai {

/// The time-window policy of one reply, fed with the times of its writes. Not thread-safe (the
/// call's mutex guards it). No clock inside: callers pass `now`, so tests need no timing.
class DeltaWindow {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  /// `window` 0 (or negative) = no holding: every chance to write is taken.
  explicit DeltaWindow(std::chrono::milliseconds window) : window_(window) {}

  /// With text pending and no write in flight at `now`: nullopt = write now; else the time until
  /// which the text is held. `final_due` (the reply ended or failed) always means write now.
  std::optional<TimePoint> hold_until(TimePoint now, bool final_due) const {
    if (window_.count() <= 0 || final_due || !last_write_) return std::nullopt;
    auto due = *last_write_ + window_;
    if (now >= due) return std::nullopt;
    return due;
  }

  /// A delta write started at `now`.
  void wrote(TimePoint now) { last_write_ = now; }

 private:
  std::chrono::milliseconds window_;
  std::optional<TimePoint> last_write_;
};

}  // namespace botfactory::ai
