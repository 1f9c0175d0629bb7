#pragma once
// The deadline and cancellation of the call whose work runs on the current thread, so that work
// whose caller gave up is abandoned instead of committed later (the caller already answered its
// own client with an error). rpc::Server sets it for each incoming gRPC call from the call's
// deadline and cancellation (grpc::ServerContext); pg::Transaction::commit() and long loops ask
// throw_if_call_abandoned(). Threads that serve no call have no deadline: nothing is refused.
// Lives in common (not rpc) so that libs/pg can read it without depending on libs/rpc.

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace botfactory::common {

/// Thrown when the current call's caller gave up: its deadline passed or it cancelled the call.
/// rpc::guard() maps it to DEADLINE_EXCEEDED / CANCELLED.
class CallAbandoned : public std::runtime_error {
 public:
  enum class Reason { kDeadlineExceeded, kCancelled };
  explicit CallAbandoned(Reason reason)
      : std::runtime_error(reason == Reason::kCancelled ? "the caller cancelled the call"
                                                        : "the caller's deadline has passed"),
        reason_(reason) {}
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

/// Makes `deadline` (wall clock, as gRPC's ServerContext::deadline(); time_point::max() = none)
/// and `is_cancelled` (may be empty; must be cheap and thread-safe) the current thread's call
/// deadline until destruction, then restores the previous one.
class ScopedCallDeadline {
 public:
  ScopedCallDeadline(std::chrono::system_clock::time_point deadline,
                     std::function<bool()> is_cancelled);
  ~ScopedCallDeadline();
  ScopedCallDeadline(const ScopedCallDeadline&) = delete;
  ScopedCallDeadline& operator=(const ScopedCallDeadline&) = delete;

 private:
  std::chrono::system_clock::time_point previous_deadline_;
  std::function<bool()> previous_cancelled_;
  bool previous_active_;
};

/// The current call's deadline; nullopt when the thread serves no call or the call has none.
std::optional<std::chrono::system_clock::time_point> current_call_deadline();

/// Why the current call is abandoned, or nullopt while its caller still waits (always nullopt
/// on a thread that serves no call).
std::optional<CallAbandoned::Reason> call_abandoned();

/// Throws CallAbandoned when call_abandoned() says so. Call it before committing work and in
/// long loops.
void throw_if_call_abandoned();

}  // namespace botfactory::common
