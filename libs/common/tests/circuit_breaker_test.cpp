// The circuit breaker (common/circuit_breaker.hpp) with an injected clock: opens after repeated
// failures, lets one trial through when half-open, and health probes open and close it.

#include <catch2/catch.hpp>

#include "botfactory/common/circuit_breaker.hpp"

using botfactory::common::CircuitBreaker;
using namespace std::chrono_literals;

TEST_CASE("the circuit breaker opens after repeated failures and lets one trial through") {
  CircuitBreaker breaker({3, 2000ms});
  auto t = CircuitBreaker::Clock::now();
  CHECK(breaker.up());
  for (int i = 0; i < 2; ++i) {
    REQUIRE(breaker.allow(t));
    breaker.record(true, t);
  }
  CHECK(breaker.up());
  breaker.record(false, t);  // a success resets the count
  for (int i = 0; i < 3; ++i) breaker.record(true, t);
  CHECK_FALSE(breaker.up());
  CHECK_FALSE(breaker.allow(t + 1000ms));   // open: fail fast
  CHECK(breaker.allow(t + 2000ms));         // half-open: one trial
  CHECK_FALSE(breaker.allow(t + 2001ms));   // ... only one
  breaker.record(true, t + 2100ms);         // trial failed: open again
  CHECK_FALSE(breaker.allow(t + 3000ms));
  CHECK(breaker.allow(t + 4100ms));
  breaker.record(false, t + 4100ms);        // trial succeeded: closed
  CHECK(breaker.up());
  CHECK(breaker.allow(t + 4101ms));
  // Health probes open and close it directly.
  breaker.probe(false, t + 5000ms);
  CHECK_FALSE(breaker.up());
  CHECK_FALSE(breaker.allow(t + 5001ms));
  breaker.probe(true, t + 5100ms);
  CHECK(breaker.allow(t + 5101ms));
}

TEST_CASE("the circuit breaker frees an abandoned half-open trial") {
  CircuitBreaker breaker({1, 1000ms});
  auto t = CircuitBreaker::Clock::now();
  breaker.record(true, t);
  REQUIRE(breaker.allow(t + 1000ms));
  CHECK_FALSE(breaker.allow(t + 1001ms));
  breaker.abandon();  // the trial's caller went away: no outcome
  CHECK_FALSE(breaker.up());
  CHECK(breaker.allow(t + 1002ms));
}
