#pragma once
// A small circuit breaker per dependency (an upstream service, a model provider and key): after repeated transport failures (or a failed
// health probe) calls fail fast instead of each waiting for its deadline.

#include <chrono>
#include <mutex>

namespace botfactory::common {

/// Closed: calls go out. Open: calls are refused at once (the caller answers 503
/// `unavailable`). Opens after `failure_threshold` consecutive transport failures (gRPC
/// UNAVAILABLE or DEADLINE_EXCEEDED) or a failed health probe; after `open_for` one trial call
/// goes out (half-open) and its outcome closes or re-opens the breaker; a successful health
/// probe closes it at once. The pattern: M. Nygard, "Release It!", chapter "Circuit Breaker".
/// Thread-safe; the clock is passed in (tests).
class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    int failure_threshold = 5;
    std::chrono::milliseconds open_for{2000};
  };

  CircuitBreaker() : CircuitBreaker(Options{}) {}
  explicit CircuitBreaker(Options options) : options_(options) {}

  /// May a call go out at `now`? False while open; true for the one trial call once
  /// `open_for` has passed (then false for others until record() sees its outcome).
  bool allow(Clock::time_point now);
  /// The outcome of a call that allow() let out: `transport_failure` for UNAVAILABLE /
  /// DEADLINE_EXCEEDED, false for any answer the service gave (OK, NOT_FOUND, ...).
  void record(bool transport_failure, Clock::time_point now);
  /// A call that allow() let out ended without an outcome (the caller cancelled it): frees the
  /// half-open trial slot, counts nothing.
  void abandon();
  /// A health probe result: not `serving` opens the breaker, `serving` closes it.
  void probe(bool serving, Clock::time_point now);
  /// False while open (also half-open): the dependency counts as down.
  bool up() const;

 private:
  void open(Clock::time_point now);

  const Options options_;
  mutable std::mutex mutex_;
  int failures_ = 0;               // consecutive transport failures (guarded by mutex_)
  bool open_ = false;              // guarded by mutex_
  bool trial_in_flight_ = false;   // half-open: one call is out (guarded by mutex_)
  Clock::time_point retry_at_{};   // when open: earliest trial (guarded by mutex_)
};

}  // namespace botfactory::common
