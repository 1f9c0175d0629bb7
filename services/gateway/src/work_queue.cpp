#include "work_queue.hpp"

#include "botfactory/metrics/registry.hpp"

namespace botfactory::gateway {
namespace {

void count_refusal() {
  static auto& refused = metrics::Registry::global().counter(
      "gateway_worker_queue_full_total",
      "Jobs refused because GATEWAY_WORKER_QUEUE jobs were already waiting for a worker");
  refused.inc();
}

}  // namespace

WorkQueue::WorkQueue(std::size_t threads, std::size_t capacity)
    : asio::BoundedWorkerPool(threads, capacity, asio::QueuedOnDestroy::kDrop, count_refusal) {}

}  // namespace botfactory::gateway
