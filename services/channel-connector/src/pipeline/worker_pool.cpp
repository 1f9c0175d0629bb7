#include "pipeline/worker_pool.hpp"

#include "botfactory/common/logging.hpp"

namespace botfactory::channel {

WorkerPool::WorkerPool(std::size_t threads, std::size_t capacity, std::string name)
    : WorkerPool(threads, FairQueueLimits{capacity, capacity, threads == 0 ? 1 : threads},
                 std::move(name)) {}

WorkerPool::WorkerPool(std::size_t threads, FairQueueLimits limits, std::string name)
    : name_(std::move(name)), log_(common::logger(name_)), queue_(limits) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { shutdown(); }

FairQueue::Refusal WorkerPool::submit(const std::string& key, std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return FairQueue::Refusal::kFull;
    auto refusal = queue_.push(key, std::move(job));
    if (refusal != FairQueue::Refusal::kNone) return refusal;
  }
  wake_.notify_one();
  return FairQueue::Refusal::kNone;
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.queued();
}

std::size_t WorkerPool::queued(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return queue_.queued(key);
}

std::size_t WorkerPool::active_keys() const {
  std::lock_guard lock(mutex_);
  return queue_.keys();
}

void WorkerPool::shutdown() {
  std::size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped = queue_.clear();
  }
  wake_.notify_all();
  if (dropped > 0) log_->warn("{}: shutting down, {} queued jobs dropped", name_, dropped);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // A waiting job of a key at its running cap is not ready; the worker that finishes one of
    // that key's jobs picks it up on its next turn of this loop.
    wake_.wait(lock, [&] { return stopping_ || queue_.has_ready(); });
    if (stopping_) return;
    auto taken = queue_.pop();
    // More ready work than this thread: hand it on (a done() below may have readied a key too).
    if (queue_.has_ready()) wake_.notify_one();
    lock.unlock();
    try {
      taken->job();
    } catch (const std::exception& e) {
      log_->error("{}: job failed: {}", name_, common::json_escape(e.what()));
    } catch (...) {
      log_->error("{}: job failed with an unknown exception", name_);
    }
    taken->job = nullptr;  // release the job's captures outside the lock
    lock.lock();
    queue_.done(taken->key);
  }
}

}  // namespace botfactory::channel
