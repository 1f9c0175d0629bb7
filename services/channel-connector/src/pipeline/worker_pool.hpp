#pragma once
// A fixed set of worker threads over a FairQueue: bounded per-key queues served round-robin.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/fair_queue.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::channel {

/// Runs submitted jobs on `threads` threads, taking them from a FairQueue (round-robin across
/// keys, see FairQueue for the ordering bound). A job that throws is logged; the exception never
/// escapes the thread. Destruction (or shutdown()) stops accepting, drops jobs still waiting
/// (logged), and joins after the running ones finish.
class WorkerPool {
 public:
  /// One key only: a plain FIFO pool with at most `capacity` jobs waiting.
  WorkerPool(std::size_t threads, std::size_t capacity, std::string name);
  /// Keyed submissions bounded by `limits`.
  WorkerPool(std::size_t threads, FairQueueLimits limits, std::string name);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job` under `key`. kNone when taken; kKeyFull / kFull when that bound is reached;
  /// kFull as well when the pool is shutting down.
  FairQueue::Refusal submit(const std::string& key, std::function<void()> job);
  /// Queues `job` under the key ""; false when it was not taken.
  bool try_submit(std::function<void()> job) {
    return submit("", std::move(job)) == FairQueue::Refusal::kNone;
  }
  /// Jobs waiting for a thread.
  std::size_t queued() const;
  /// Jobs of `key` waiting for a thread.
  std::size_t queued(const std::string& key) const;
  /// Keys with a waiting or running job.
  std::size_t active_keys() const;
  /// Idempotent; call from one thread (the owner).
  void shutdown();

 private:
  void work();

  const std::string name_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  FairQueue queue_;        // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace botfactory::channel
