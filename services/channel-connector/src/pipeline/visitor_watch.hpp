#pragma once
// Whether anybody is left to read a bot reply while it is generated: a widget conversation's
// visitor presence (written by the gateways in Redis, docs/architecture.md "Visitor presence and
// reply cancellation"), checked at most every VISITOR_PRESENCE_CHECK_MS, with a grace period so
// a page reload does not cancel.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "pipeline/delta_coalescer.hpp"

namespace botfactory::channel {

/// Reads whether a conversation has a visitor socket on any gateway replica.
class VisitorPresenceProbe {
 public:
  virtual ~VisitorPresenceProbe() = default;
  /// True/false: a visitor socket is/is not joined to `conversation_id`; nullopt when it cannot
  /// be known (Redis down). Never throws.
  virtual std::optional<bool> visitor_present(const std::string& conversation_id) = 0;
};

/// When a reply whose visitor left is cancelled.
struct VisitorWatchSettings {
  /// How long nobody must have been present before the reply is cancelled
  /// (VISITOR_GONE_GRACE_MS; 0 = never cancel).
  std::chrono::milliseconds grace{15000};
  /// Presence is read at most this often per reply (VISITOR_PRESENCE_CHECK_MS).
  std::chrono::milliseconds check_every{1000};
};

/// Thrown out of a reply's delta callback to cancel the reply (the ReplyGenerator cancels the
/// ai-proxy call: grpc::ClientContext::TryCancel).
class ReplyCancelled : public std::runtime_error {
 public:
  ReplyCancelled() : std::runtime_error("the conversation's visitor is gone") {}
};

/// The rule for one reply (socket-free; one thread). gone() reads presence at most every
/// check_every; it is true once the probe has said "absent" continuously for at least `grace`
/// (measured from the first "absent" read, so the cancel comes grace .. grace + check_every
/// after that read). "Present" or "unknown" (Redis down: fail open, the reply goes on) resets it.
class VisitorWatch {
 public:
  VisitorWatch(VisitorPresenceProbe& probe, std::string conversation_id,
               VisitorWatchSettings settings, SteadyClock clock);
  /// True when the reply should be cancelled now.
  bool gone();

 private:
  VisitorPresenceProbe& probe_;
  std::string conversation_id_;
  VisitorWatchSettings settings_;
  SteadyClock clock_;
  std::optional<std::chrono::steady_clock::time_point> last_check_;
  std::optional<std::chrono::steady_clock::time_point> absent_since_;
};

}  // namespace botfactory::channel
