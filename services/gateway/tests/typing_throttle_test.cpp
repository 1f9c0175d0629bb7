// Unit tests of the per-socket typing throttle (an injected clock; no sleeping).
#include <catch2/catch.hpp>

#include "ws/typing_throttle.hpp"

using botfactory::gateway::TypingThrottle;
using namespace std::chrono_literals;

TEST_CASE("typing: one start per 2 s per conversation, a stop only after a relayed start") {
  TypingThrottle throttle;
  auto t0 = TypingThrottle::Clock::now();
  CHECK_FALSE(throttle.admit("c1", false, t0));  // a stop with nothing started
  CHECK(throttle.admit("c1", true, t0));
  CHECK_FALSE(throttle.admit("c1", true, t0 + 500ms));   // repeated while typing
  CHECK_FALSE(throttle.admit("c1", true, t0 + 1999ms));
  CHECK(throttle.admit("c2", true, t0 + 1s));            // another conversation is separate
  CHECK(throttle.admit("c1", false, t0 + 1s));
  CHECK_FALSE(throttle.admit("c1", false, t0 + 1100ms));  // one stop per start
  CHECK_FALSE(throttle.admit("c1", true, t0 + 1500ms));   // start, stop, start within 2 s
  CHECK(throttle.admit("c1", true, t0 + 2s));
  CHECK(throttle.admit("c1", false, t0 + 2100ms));

  throttle.forget("c1");
  CHECK(throttle.admit("c1", true, t0 + 2200ms));  // a fresh join starts afresh
}

TEST_CASE("typing: a post ends the typing, so the client's stop after it is not relayed") {
  TypingThrottle throttle;
  auto t0 = TypingThrottle::Clock::now();
  CHECK_FALSE(throttle.posted("c1"));  // nothing started: nothing ended
  CHECK(throttle.admit("c1", true, t0));
  CHECK(throttle.admit("c2", true, t0));
  CHECK(throttle.posted("c1"));        // the started typing ends with the message
  CHECK_FALSE(throttle.posted("c1"));  // once
  CHECK_FALSE(throttle.admit("c1", false, t0 + 10ms));  // the stop sent right after the post
  CHECK(throttle.admit("c2", false, t0 + 10ms));        // another conversation keeps its own
  CHECK_FALSE(throttle.admit("c1", true, t0 + 1s));     // the start interval still holds
  CHECK(throttle.admit("c1", true, t0 + 2s));           // typing the next message
  CHECK(throttle.admit("c1", false, t0 + 3s));          // and stopping without posting
}
