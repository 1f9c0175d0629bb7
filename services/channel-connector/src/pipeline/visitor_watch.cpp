#include "pipeline/visitor_watch.hpp"

namespace botfactory::channel {

VisitorWatch::VisitorWatch(VisitorPresenceProbe& probe, std::string conversation_id,
                           VisitorWatchSettings settings, SteadyClock clock)
    : probe_(probe),
      conversation_id_(std::move(conversation_id)),
      settings_(settings),
      clock_(std::move(clock)) {}

bool VisitorWatch::gone() {
  if (settings_.grace.count() <= 0) return false;
  const auto now = clock_();
  if (last_check_ && now - *last_check_ < settings_.check_every) {
    return absent_since_ && now - *absent_since_ >= settings_.grace;
  }
  last_check_ = now;
  auto present = probe_.visitor_present(conversation_id_);
  if (!present || *present) {
    absent_since_.reset();
    return false;
  }
  if (!absent_since_) absent_since_ = now;
  return now - *absent_since_ >= settings_.grace;
}

}  // namespace botfactory::channel
