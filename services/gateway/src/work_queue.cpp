#include "work_queue.hpp"

#include "botfactory/metrics/registry.hpp"

namespace botfactory::gateway {

void WorkQueue::count_refusal() {
  static auto& refused = metrics::Registry::global().counter(
      "gateway_worker_queue_full_total",
      "Jobs refused because GATEWAY_WORKER_QUEUE jobs were already waiting for a worker");
  refused.inc();
}

}  // namespace botfactory::gateway
