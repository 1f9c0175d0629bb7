#pragma once
// harden: the one bounded worker pool of the services (before: the gateway's WorkQueue and
// ai-proxy's WorkerPool, two copies of the same class that differed only in what happened to
// the jobs still queued when the pool went away). Header-only (target botfactory::worker_pool):
// it works with Asio compiled separately (botfactory::asio, the gateway) or header-only
// (ai-proxy).

#include <atomic>
#include <cstddef>
#include <functional>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace botfactory::asio {

/// What a BoundedWorkerPool does with the jobs still queued (not started) when it is destroyed.
/// Jobs already running always finish first.
enum class QueuedOnDestroy {
  kRun,   ///< run them all, then join (ai-proxy: a reply step already admitted is finished)
  kDrop,  ///< destroy them unrun (the gateway: its shutdown calls join() itself while the
          ///< upstreams are still there; a pool destroyed without that must not run jobs
          ///< against objects already gone)
};

/// `threads` workers over a FIFO queue of at most `capacity` waiting jobs (0 is raised to 1 for
/// both). try_submit() refuses a job instead of queueing without bound, so a flood cannot grow
/// memory; the caller answers "busy" (503 / RESOURCE_EXHAUSTED). `on_refused` (may be empty)
/// runs on the refusing thread for every refusal (a metric). Thread-safe.
class BoundedWorkerPool {
 public:
  BoundedWorkerPool(std::size_t threads, std::size_t capacity, QueuedOnDestroy on_destroy,
                    std::function<void()> on_refused = {})
      : pool_(threads == 0 ? 1 : threads),
        capacity_(capacity == 0 ? 1 : capacity),
        on_destroy_(on_destroy),
        on_refused_(std::move(on_refused)) {}
  BoundedWorkerPool(const BoundedWorkerPool&) = delete;
  BoundedWorkerPool& operator=(const BoundedWorkerPool&) = delete;
  /// Applies the QueuedOnDestroy policy, then joins the threads.
  ~BoundedWorkerPool() {
    if (on_destroy_ == QueuedOnDestroy::kDrop) pool_.stop();  // queued jobs die with the pool
    pool_.join();  // kRun: every queued job runs first
  }

  /// Queues `job` (a callable with no arguments; it must not throw) and returns true; returns
  /// false without taking it when `capacity` jobs already wait.
  template <typename Job>
  [[nodiscard]] bool try_submit(Job&& job) {
    if (waiting_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
      waiting_.fetch_sub(1, std::memory_order_acq_rel);
      if (on_refused_) on_refused_();
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
  QueuedOnDestroy on_destroy() const { return on_destroy_; }

  /// Runs what is queued, then joins the threads (an orderly shutdown, whatever the policy).
  void join() { pool_.join(); }
  /// Stops taking queued jobs: those not started are never run (destroyed with the pool);
  /// running ones finish. What the destructor does first under QueuedOnDestroy::kDrop.
  void stop() { pool_.stop(); }

 private:
  boost::asio::thread_pool pool_;
  const std::size_t capacity_;
  const QueuedOnDestroy on_destroy_;
  const std::function<void()> on_refused_;
  std::atomic<std::size_t> waiting_{0};
};

}  // namespace botfactory::asio
