#include "ws/ingest_admission.hpp"

#include <algorithm>

#include "botfactory/metrics/registry.hpp"

namespace botfactory::gateway {
namespace {

struct IngestMetrics {
  metrics::Gauge& depth;
  metrics::Counter& rejected_full;
  metrics::Counter& rejected_wait;
  metrics::Histogram& wait;

  static IngestMetrics& get() {
    auto& r = metrics::Registry::global();
    static IngestMetrics m{
        r.gauge("gateway_ingest_queue_depth",
                "message.send jobs waiting for a gateway worker (GATEWAY_WORKER_QUEUE)"),
        r.counter("gateway_ingest_rejected_total",
                  "message.send refused with unavailable before PostMessage, by reason",
                  R"(reason="queue_full")"),
        r.counter("gateway_ingest_rejected_total",
                  "message.send refused with unavailable before PostMessage, by reason",
                  R"(reason="queue_wait")"),
        r.histogram("gateway_ingest_queue_wait_seconds",
                    "Time a message.send waited for a gateway worker",
                    {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})};
    return m;
  }
};

}  // namespace

IngestAdmission::IngestAdmission(std::chrono::milliseconds max_queue_wait)
    : max_wait_(std::max(max_queue_wait, std::chrono::milliseconds(1))) {}

IngestAdmission::Clock::time_point IngestAdmission::queued(Clock::time_point now) const {
  IngestMetrics::get().depth.add(1);
  return now;
}

void IngestAdmission::refused_full() const {
  auto& m = IngestMetrics::get();
  m.depth.add(-1);
  m.rejected_full.inc();
}

bool IngestAdmission::start(Clock::time_point queued_at, Clock::time_point now) const {
  auto& m = IngestMetrics::get();
  m.depth.add(-1);
  auto waited = now - queued_at;
  m.wait.observe(std::chrono::duration<double>(waited).count());
  if (waited > max_wait_) {
    m.rejected_wait.inc();
    return false;
  }
  return true;
}

}  // namespace botfactory::gateway
