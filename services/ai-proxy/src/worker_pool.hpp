#pragma once
// ai-proxy's few threads for the short blocking steps of a reply (registry calls, prompt, the
// extractive answer), with a bound on the jobs that wait (the same shape as the gateway's
// WorkQueue).

#include <atomic>
#include <cstddef>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace botfactory::ai {

/// `threads` workers (AI_WORKERS) over a FIFO queue of at most `capacity` waiting jobs
/// (AI_WORKER_QUEUE). try_submit() refuses a job instead of queueing without bound; the caller
/// answers RESOURCE_EXHAUSTED with a retry hint. Thread-safe.
class WorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t capacity)
      : pool_(threads == 0 ? 1 : threads), capacity_(capacity == 0 ? 1 : capacity) {}
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool() { pool_.join(); }

  /// Queues `job` (no arguments, must not throw) and returns true; false without taking it when
  /// `capacity` jobs already wait.
  template <typename Job>
  [[nodiscard]] bool try_submit(Job&& job) {
    if (waiting_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
      waiting_.fetch_sub(1, std::memory_order_acq_rel);
      return false;
    }
    boost::asio::post(pool_, [this, job = std::forward<Job>(job)]() mutable {
      waiting_.fetch_sub(1, std::memory_order_acq_rel);
      job();
    });
    return true;
  }

  /// Jobs queued and not started yet.
  std::size_t waiting() const { return waiting_.load(std::memory_order_acquire); }

 private:
  boost::asio::thread_pool pool_;
  const std::size_t capacity_;
  std::atomic<std::size_t> waiting_{0};
};

}  // namespace botfactory::ai
