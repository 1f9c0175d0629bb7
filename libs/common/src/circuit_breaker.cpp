#include "botfactory/common/circuit_breaker.hpp"

namespace botfactory::common {

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!open_) return true;
  if (trial_in_flight_ || now < retry_at_) return false;
  trial_in_flight_ = true;
  return true;
}

void CircuitBreaker::record(bool transport_failure, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  trial_in_flight_ = false;
  if (!transport_failure) {
    failures_ = 0;
    open_ = false;
    return;
  }
  if (open_ || ++failures_ >= options_.failure_threshold) open(now);
}

void CircuitBreaker::abandon() {
  std::lock_guard lock(mutex_);
  trial_in_flight_ = false;
}

void CircuitBreaker::probe(bool serving, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (serving) {
    failures_ = 0;
    open_ = false;
    trial_in_flight_ = false;
    return;
  }
  if (!open_) open(now);
}

bool CircuitBreaker::up() const {
  std::lock_guard lock(mutex_);
  return !open_;
}

void CircuitBreaker::open(Clock::time_point now) {
  open_ = true;
  failures_ = 0;
  retry_at_ = now + options_.open_for;
}

}  // namespace botfactory::common
