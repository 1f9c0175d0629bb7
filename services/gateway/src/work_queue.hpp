#pragma once
// The gateway's pool of worker threads for blocking work (gRPC calls, file reads), with a bound
// on the jobs that wait for a thread: libs/asio's BoundedWorkerPool with the gateway's policy.

#include <cstddef>

#include "botfactory/asio/bounded_worker_pool.hpp"

namespace botfactory::gateway {

/// `threads` workers (GATEWAY_WORKERS) over a FIFO queue of at most `capacity` waiting jobs
/// (GATEWAY_WORKER_QUEUE). try_submit() refuses a job instead of queueing without bound, so a
/// flood of requests cannot grow the gateway's memory; callers answer 503 `unavailable`
/// (REST) or an `unavailable` error event (WebSocket); each refusal counts in
/// gateway_worker_queue_full_total. Shutdown calls join() (runs what is queued while the
/// upstreams still exist); a queue destroyed without it drops its queued jobs
/// (QueuedOnDestroy::kDrop). Thread-safe.
class WorkQueue : public asio::BoundedWorkerPool {
 public:
  WorkQueue(std::size_t threads, std::size_t capacity);
};

}  // namespace botfactory::gateway
