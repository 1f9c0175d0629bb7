#pragma once
// The gateway's pool of worker threads for blocking work (gRPC calls, file reads), with a bound
// on the jobs that wait for a thread.

#include <atomic>
#include <cstddef>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace botfactory::gateway {

/// `threads` workers (GATEWAY_WORKERS) over a FIFO queue of at most `capacity` waiting jobs
/// (GATEWAY_WORKER_QUEUE). try_submit() refuses a job instead of queueing without bound, so a
/// flood of requests cannot grow the gateway's memory; callers answer 503 `unavailable`
/// (REST) or an `unavailable` error event (WebSocket). Thread-safe.
class WorkQueue {
 public:
  WorkQueue(std::size_t threads, std::size_t capacity)
      : pool_(threads == 0 ? 1 : threads), capacity_(capacity == 0 ? 1 : capacity) {}
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  /// Queues `job` (a callable with no arguments; it must not throw) and returns true; returns
  /// false without taking it when `capacity` jobs already wait (counted in
  /// gateway_worker_queue_full_total).
  template <typename Job>
  [[nodiscard]] bool try_submit(Job&& job) {
    if (waiting_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
      waiting_.fetch_sub(1, std::memory_order_acq_rel);
      count_refusal();
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
  std::size_t capacity() const { return capacity_; }

  /// Runs what is queued, then joins the threads (at shutdown).
  void join() { pool_.join(); }

 private:
  static void count_refusal();

  boost::asio::thread_pool pool_;
  const std::size_t capacity_;
  std::atomic<std::size_t> waiting_{0};
};

}  // namespace botfactory::gateway
