#pragma once
// A fixed set of worker threads over a bounded FIFO queue of jobs.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace spdlog {
class logger;
}

namespace botfactory::channel {

/// Runs submitted jobs on `threads` threads; at most `capacity` jobs wait. A job that throws is
/// logged; the exception never escapes the thread. Destruction (or shutdown()) stops accepting,
/// drops jobs still waiting (logged), and joins after the running ones finish.
class WorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t capacity, std::string name);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`; false (job not taken) when the queue is full or the pool is shutting down.
  bool try_submit(std::function<void()> job);
  /// Jobs waiting for a thread.
  std::size_t queued() const;
  /// Idempotent; call from one thread (the owner).
  void shutdown();

 private:
  void work();

  const std::size_t capacity_;
  const std::string name_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace botfactory::channel
