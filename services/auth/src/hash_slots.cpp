#include "hash_slots.hpp"

#include <algorithm>
#include <stdexcept>

namespace botfactory::auth {

std::size_t hash_slots_for_budget(std::size_t budget_bytes, std::size_t per_hash_bytes) {
  if (per_hash_bytes == 0) throw std::invalid_argument("per_hash_bytes must be positive");
  return std::max<std::size_t>(1, budget_bytes / per_hash_bytes);
}

HashSlots::HashSlots(std::size_t slots, std::chrono::milliseconds max_wait)
    : capacity_(std::max<std::size_t>(slots, 1)),
      max_wait_(max_wait),
      in_flight_gauge_(metrics::Registry::global().gauge(
          "auth_password_hash_in_flight", "Argon2id computations running now")),
      busy_(metrics::Registry::global().counter(
          "auth_password_hash_busy_total",
          "Hashing requests refused because every slot of the memory budget stayed taken")) {
  metrics::Registry::global()
      .gauge("auth_password_hash_slots", "Concurrent Argon2id computations the budget allows")
      .set(static_cast<std::int64_t>(capacity_));
}

std::optional<HashSlots::Permit> HashSlots::try_acquire() {
  std::unique_lock lock(mutex_);
  if (!freed_.wait_for(lock, max_wait_, [this] { return used_ < capacity_; })) {
    busy_.inc();
    return std::nullopt;
  }
  ++used_;
  auto seen = max_in_flight_.load();
  while (used_ > seen && !max_in_flight_.compare_exchange_weak(seen, used_)) {
  }
  in_flight_gauge_.add(1);
  return Permit(*this);
}

std::size_t HashSlots::in_flight() const {
  std::lock_guard lock(mutex_);
  return used_;
}

void HashSlots::release() {
  {
    std::lock_guard lock(mutex_);
    --used_;
  }
  in_flight_gauge_.add(-1);
  freed_.notify_one();
}

}  // namespace botfactory::auth
