// ExtractionSlots: the bound on concurrent document parsing (outcomes only, no timing).
#include <catch2/catch.hpp>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/rpc/status.hpp"
#include "extraction_slots.hpp"

using namespace botfactory;
using namespace std::chrono_literals;

TEST_CASE("extraction slots: full → UNAVAILABLE, or CallAbandoned once the caller gave up") {
  registry::ExtractionSlots slots(1);
  {
    auto held = slots.acquire(1000ms);
    try {
      slots.acquire(20ms);
      FAIL("acquired a second slot");
    } catch (const rpc::StatusError& e) {
      CHECK(e.code() == grpc::StatusCode::UNAVAILABLE);
      CHECK(std::string(e.what()) == "too many documents are being processed, try again");
    }
    common::ScopedCallDeadline gone(std::chrono::system_clock::now() - 1ms, {});
    CHECK_THROWS_AS(slots.acquire(1000ms), common::CallAbandoned);
  }
  // Released: free again.
  auto again = slots.acquire(1000ms);
  SUCCEED();
}
