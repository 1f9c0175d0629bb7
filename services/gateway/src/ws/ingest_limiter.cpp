#include "ws/ingest_limiter.hpp"

#include <algorithm>
#include <thread>

#include "botfactory/metrics/registry.hpp"

namespace botfactory::gateway {
namespace {

struct LimiterMetrics {
  metrics::Gauge& in_flight;
  metrics::Counter& rejected;
  metrics::Gauge& calls_queued;
  metrics::Counter& client_gone;

  static LimiterMetrics& get() {
    auto& r = metrics::Registry::global();
    static LimiterMetrics m{
        r.gauge("gateway_ingest_in_flight",
                "message.send admitted and not answered yet (INGEST_MAX_IN_FLIGHT bounds it)"),
        r.counter("gateway_ingest_rejected_total",
                  "message.send refused with unavailable before PostMessage, by reason",
                  R"(reason="in_flight")"),
        r.gauge("gateway_ingest_calls_queued",
                "message.send ready to go out, waiting for one of INGEST_MAX_CALLS calls"),
        r.counter("gateway_ingest_rejected_total",
                  "message.send refused with unavailable before PostMessage, by reason",
                  R"(reason="client_gone")")};
    return m;
  }
};

}  // namespace

IngestLimiter::IngestLimiter(std::size_t capacity, std::chrono::milliseconds retry_after,
                             std::size_t max_calls)
    : capacity_(std::max<std::size_t>(capacity, 1)),
      retry_after_(std::max(retry_after, std::chrono::milliseconds(1))),
      max_calls_(max_calls) {
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

void IngestLimiter::start_call(std::function<void()> start) {
  if (max_calls_ == 0 || on_wire_ < max_calls_) {
    ++on_wire_;
    return start();
  }
  call_queue_.push_back(std::move(start));
  LimiterMetrics::get().calls_queued.add(1);
}

void IngestLimiter::call_done() {
  if (call_queue_.empty()) {
    if (on_wire_ > 0) --on_wire_;
    return;
  }
  auto next = std::move(call_queue_.front());  // takes over the place of the call that ended
  call_queue_.pop_front();
  LimiterMetrics::get().calls_queued.add(-1);
  next();
}

void IngestLimiter::note_client_gone() { LimiterMetrics::get().client_gone.inc(); }

bool IngestLimiter::wait_idle(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (in_flight() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace botfactory::gateway
