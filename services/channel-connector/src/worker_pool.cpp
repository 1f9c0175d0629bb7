#include "worker_pool.hpp"

#include "botfactory/common/logging.hpp"

namespace botfactory::channel {

WorkerPool::WorkerPool(std::size_t threads, std::size_t capacity, std::string name)
    : capacity_(capacity == 0 ? 1 : capacity),
      name_(std::move(name)),
      log_(common::logger(name_)) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { shutdown(); }

bool WorkerPool::try_submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_) return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::shutdown() {
  std::size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped = queue_.size();
    queue_.clear();
  }
  wake_.notify_all();
  if (dropped > 0) log_->warn("{}: shutting down, {} queued jobs dropped", name_, dropped);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      log_->error("{}: job failed: {}", name_, common::json_escape(e.what()));
    } catch (...) {
      log_->error("{}: job failed with an unknown exception", name_);
    }
  }
}

}  // namespace botfactory::channel
