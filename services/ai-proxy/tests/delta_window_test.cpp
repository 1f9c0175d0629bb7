// DeltaWindow: the first delta at once, later ones at most once per window, the final never held.
// Times are passed in: no clock, no timing.

#include <catch2/catch.hpp>

#include "delta_window.hpp"

using botfactory::ai::DeltaWindow;
using std::chrono::milliseconds;

TEST_CASE("delta window: first text at once, then at most once per window") {
  DeltaWindow window(milliseconds(25));
  const DeltaWindow::TimePoint t0{};
  CHECK_FALSE(window.hold_until(t0, false));  // time to first token: never held
  window.wrote(t0);
  auto hold = window.hold_until(t0 + milliseconds(1), false);
  REQUIRE(hold);
  CHECK(*hold == t0 + milliseconds(25));
  CHECK(window.hold_until(t0 + milliseconds(24), false) == hold);
  CHECK_FALSE(window.hold_until(t0 + milliseconds(25), false));
  window.wrote(t0 + milliseconds(30));
  CHECK(*window.hold_until(t0 + milliseconds(31), false) == t0 + milliseconds(55));
}

TEST_CASE("delta window: the end of the reply flushes at once") {
  DeltaWindow window(milliseconds(25));
  const DeltaWindow::TimePoint t0{};
  window.wrote(t0);
  CHECK_FALSE(window.hold_until(t0 + milliseconds(1), true));
}

TEST_CASE("delta window: 0 = off") {
  DeltaWindow window(milliseconds(0));
  const DeltaWindow::TimePoint t0{};
  window.wrote(t0);
  CHECK_FALSE(window.hold_until(t0, false));
}
