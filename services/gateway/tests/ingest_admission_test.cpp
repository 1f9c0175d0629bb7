// IngestAdmission (ws/ingest_admission.hpp): the time-in-queue bound of message.send, with
// injected times (no sleeps).
#include <catch2/catch.hpp>

#include "botfactory/metrics/registry.hpp"
#include "ws/ingest_admission.hpp"

using botfactory::gateway::IngestAdmission;
using namespace std::chrono_literals;

namespace {

std::uint64_t rejected(const char* reason) {
  return botfactory::metrics::Registry::global()
      .counter("gateway_ingest_rejected_total", "", std::string("reason=\"") + reason + "\"")
      .value();
}

std::int64_t depth() {
  return botfactory::metrics::Registry::global().gauge("gateway_ingest_queue_depth", "").value();
}

}  // namespace

TEST_CASE("ingest admission: within the wait bound admitted, past it refused and counted") {
  IngestAdmission admission(1000ms);
  CHECK(admission.retry_after_ms() == 1000);
  auto t0 = IngestAdmission::Clock::time_point{} + 5s;
  auto depth0 = depth();
  auto waits0 = rejected("queue_wait");

  auto a = admission.queued(t0);
  auto b = admission.queued(t0);
  CHECK(depth() == depth0 + 2);
  CHECK(admission.start(a, t0 + 1000ms));  // exactly the bound: still admitted
  CHECK(depth() == depth0 + 1);
  CHECK_FALSE(admission.start(b, t0 + 1001ms));
  CHECK(depth() == depth0);
  CHECK(rejected("queue_wait") == waits0 + 1);
}

TEST_CASE("ingest admission: a full queue refusal leaves the depth as it was") {
  IngestAdmission admission(0ms);  // raised to 1 ms
  CHECK(admission.retry_after_ms() == 1);
  auto depth0 = depth();
  auto full0 = rejected("queue_full");
  (void)admission.queued();
  admission.refused_full();
  CHECK(depth() == depth0);
  CHECK(rejected("queue_full") == full0 + 1);
}
