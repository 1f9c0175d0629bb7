#include "botfactory/common/call_deadline.hpp"

namespace botfactory::common {
namespace {

using Clock = std::chrono::system_clock;

struct CallState {
  bool active = false;
  Clock::time_point deadline = Clock::time_point::max();
  std::function<bool()> is_cancelled;
};

thread_local CallState t_call;

}  // namespace

ScopedCallDeadline::ScopedCallDeadline(Clock::time_point deadline,
                                       std::function<bool()> is_cancelled)
    : previous_deadline_(t_call.deadline),
      previous_cancelled_(std::move(t_call.is_cancelled)),
      previous_active_(t_call.active) {
  t_call.active = true;
  t_call.deadline = deadline;
  t_call.is_cancelled = std::move(is_cancelled);
}

ScopedCallDeadline::~ScopedCallDeadline() {
  t_call.active = previous_active_;
  t_call.deadline = previous_deadline_;
  t_call.is_cancelled = std::move(previous_cancelled_);
}

std::optional<Clock::time_point> current_call_deadline() {
  if (!t_call.active || t_call.deadline == Clock::time_point::max()) return std::nullopt;
  return t_call.deadline;
}

std::optional<CallAbandoned::Reason> call_abandoned() {
  if (!t_call.active) return std::nullopt;
  if (t_call.deadline != Clock::time_point::max() && Clock::now() >= t_call.deadline) {
    return CallAbandoned::Reason::kDeadlineExceeded;
  }
  if (t_call.is_cancelled && t_call.is_cancelled()) return CallAbandoned::Reason::kCancelled;
  return std::nullopt;
}

void throw_if_call_abandoned() {
  if (auto reason = call_abandoned()) throw CallAbandoned(*reason);
}

}  // namespace botfactory::common
