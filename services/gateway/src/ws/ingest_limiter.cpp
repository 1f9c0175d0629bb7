#include "ws/ingest_limiter.hpp"

#include <algorithm>
#include <thread>

#include "botfactory/metrics/registry.hpp"

namespace botfactory::gateway {
namespace {

struct LimiterMetrics {
  metrics::Gauge& in_flight;
  metrics::Counter& rejected;

  static LimiterMetrics& get() {
    auto& r = metrics::Registry::global();
    static LimiterMetrics m{
        r.gauge("gateway_ingest_in_flight",
                "message.send admitted and not answered yet (INGEST_MAX_IN_FLIGHT bounds it)"),
        r.counter("gateway_ingest_rejected_total",
                  "message.send refused with unavailable before PostMessage, by reason",
                  R"(reason="in_flight")")};
    return m;
  }
};

}  // namespace

IngestLimiter::IngestLimiter(std::size_t capacity, std::chrono::milliseconds retry_after)
    : capacity_(std::max<std::size_t>(capacity, 1)),
      retry_after_(std::max(retry_after, std::chrono::milliseconds(1))) {
  LimiterMetrics::get();  // registered (at 0) before the first message
}

bool IngestLimiter::try_acquire() {
  auto& m = LimiterMetrics::get();
  std::size_t current = in_flight_.load(std::memory_order_relaxed);
  do {
    if (current >= capacity_) {
      m.rejected.inc();
      return false;
    }
  } while (!in_flight_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel));
  m.in_flight.add(1);
  return true;
}

void IngestLimiter::release() {
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  LimiterMetrics::get().in_flight.add(-1);
}

bool IngestLimiter::wait_idle(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (in_flight() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace botfactory::gateway
