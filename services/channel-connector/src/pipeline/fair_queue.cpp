#include "pipeline/fair_queue.hpp"

#include <algorithm>

namespace botfactory::channel {

FairQueue::FairQueue(FairQueueLimits limits) : limits_(limits) {
  limits_.total_capacity = std::max<std::size_t>(limits_.total_capacity, 1);
  limits_.key_capacity = std::max<std::size_t>(limits_.key_capacity, 1);
  limits_.key_running = std::max<std::size_t>(limits_.key_running, 1);
  limits_.key_burst_running = std::max(limits_.key_burst_running, limits_.key_running);
}

FairQueue::Refusal FairQueue::push(const std::string& key, Job job) {
  if (queued_ >= limits_.total_capacity) return Refusal::kFull;
  auto& state = keys_[key];
  if (state.waiting.size() >= limits_.key_capacity) return Refusal::kKeyFull;
  state.waiting.push_back(std::move(job));
  ++queued_;
  maybe_ring(key, state);
  return Refusal::kNone;
}

std::optional<FairQueue::Taken> FairQueue::pop() {
  std::string key;
  if (!ring_.empty()) {
    key = std::move(ring_.front());
    ring_.pop_front();
    keys_.at(key).in_ring = false;
  } else if (!burst_ring_.empty()) {
    key = burst_ring_.front();  // copied: leave_burst() erases the list node
    leave_burst(keys_.at(key));
  } else {
    return std::nullopt;
  }
  auto& state = keys_.at(key);
  Taken taken{key, std::move(state.waiting.front())};
  state.waiting.pop_front();
  --queued_;
  ++state.running;
  maybe_ring(key, state);  // to the back: the other ready keys go first
  return taken;
}

void FairQueue::done(const std::string& key) {
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.running == 0) return;
  --it->second.running;
  maybe_ring(key, it->second);
  maybe_forget(key, it->second);
}

std::size_t FairQueue::clear() {
  std::size_t dropped = queued_;
  ring_.clear();
  burst_ring_.clear();
  for (auto it = keys_.begin(); it != keys_.end();) {
    it->second.waiting.clear();
    it->second.in_ring = false;
    it->second.in_burst = false;
    if (it->second.running == 0) {
      it = keys_.erase(it);
    } else {
      ++it;
    }
  }
  queued_ = 0;
  return dropped;
}

std::size_t FairQueue::queued(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? 0 : it->second.waiting.size();
}

std::size_t FairQueue::running(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? 0 : it->second.running;
}

void FairQueue::maybe_ring(const std::string& key, KeyState& state) {
  if (state.in_ring || state.waiting.empty()) return;
  if (state.running < limits_.key_running) {
    leave_burst(state);  // under its share again: a ready key, served before borrowers
    state.in_ring = true;
    ring_.push_back(key);
  } else if (!state.in_burst && state.running < limits_.key_burst_running) {
    state.in_burst = true;
    state.burst_at = burst_ring_.insert(burst_ring_.end(), key);
  }
}

void FairQueue::leave_burst(KeyState& state) {
  if (!state.in_burst) return;
  burst_ring_.erase(state.burst_at);
  state.in_burst = false;
}

void FairQueue::maybe_forget(const std::string& key, const KeyState& state) {
  if (state.waiting.empty() && state.running == 0) keys_.erase(key);
}

}  // namespace botfactory::channel
