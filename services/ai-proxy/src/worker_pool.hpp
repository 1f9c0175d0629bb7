#pragma once
// ai-proxy's few threads for the short blocking steps of a reply (registry calls, prompt, the
// extractive answer), with a bound on the jobs that wait: libs/asio's BoundedWorkerPool (the
// gateway's WorkQueue is the same class) with ai-proxy's policy.

#include <cstddef>

#include "botfactory/asio/bounded_worker_pool.hpp"

namespace botfactory::ai {

/// `threads` workers (AI_WORKERS) over a FIFO queue of at most `capacity` waiting jobs
/// (AI_WORKER_QUEUE). try_submit() refuses a job instead of queueing without bound; the caller
/// answers RESOURCE_EXHAUSTED with a retry hint. Destroying the pool runs the jobs still queued
/// (QueuedOnDestroy::kRun: a reply step already admitted is finished), then joins. Thread-safe.
class WorkerPool : public asio::BoundedWorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t capacity)
      : asio::BoundedWorkerPool(threads, capacity, asio::QueuedOnDestroy::kRun) {}
};

}  // namespace botfactory::ai
