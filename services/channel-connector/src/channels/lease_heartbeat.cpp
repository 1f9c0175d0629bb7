#include "channels/lease_heartbeat.hpp"

#include "botfactory/common/logging.hpp"

namespace botfactory::channel {

void HeldIds::add(std::int64_t id) {
  std::lock_guard lock(mutex_);
  ids_.insert(id);
}

void HeldIds::remove(std::int64_t id) {
  std::lock_guard lock(mutex_);
  ids_.erase(id);
}

std::vector<std::int64_t> HeldIds::snapshot() const {
  std::lock_guard lock(mutex_);
  return {ids_.begin(), ids_.end()};
}

std::size_t HeldIds::size() const {
  std::lock_guard lock(mutex_);
  return ids_.size();
}

LeaseHeartbeat::LeaseHeartbeat(std::chrono::milliseconds every, std::vector<std::function<void()>> tasks)
    : every_(every), tasks_(std::move(tasks)) {}

LeaseHeartbeat::~LeaseHeartbeat() { stop(); }

void LeaseHeartbeat::start() {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable() && !stopping_) thread_ = std::thread([this] { loop(); });
}

void LeaseHeartbeat::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeaseHeartbeat::beat() {
  for (auto& task : tasks_) {
    try {
      task();
    } catch (const std::exception& e) {
      common::logger("lease")->warn("lease renewal failed: {}", e.what());
    }
  }
}

void LeaseHeartbeat::loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, every_, [&] { return stopping_; });
      if (stopping_) return;
    }
    beat();
  }
}

}  // namespace botfactory::channel
