#include <catch2/catch.hpp>

#include "botfactory/metrics/registry.hpp"

using namespace botfactory::metrics;

TEST_CASE("registry renders counters, gauges and cumulative histograms") {
  Registry registry;
  registry.counter("bf_requests_total", "Requests.", "code=\"200\"").inc(3);
  registry.gauge("bf_sockets", "Open sockets.").set(7);
  auto& h = registry.histogram("bf_latency_seconds", "Latency.", {0.1, 1.0});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  auto text = registry.render();
  CHECK(text.find("# TYPE bf_requests_total counter") != std::string::npos);
  CHECK(text.find("bf_requests_total{code=\"200\"} 3") != std::string::npos);
  CHECK(text.find("bf_sockets 7") != std::string::npos);
  CHECK(text.find("bf_latency_seconds_bucket{le=\"0.1\"} 1") != std::string::npos);
  CHECK(text.find("bf_latency_seconds_bucket{le=\"1\"} 2") != std::string::npos);
  CHECK(text.find("bf_latency_seconds_bucket{le=\"+Inf\"} 3") != std::string::npos);
  CHECK(text.find("bf_latency_seconds_count 3") != std::string::npos);
}
