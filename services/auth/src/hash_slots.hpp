#pragma once
// A bound on how many Argon2id computations run at once, so password hashing can never take
// more memory than its budget (AUTH_HASH_MEMORY_BUDGET_MB) however many logins arrive together.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>

#include "botfactory/metrics/registry.hpp"

namespace botfactory::auth {

/// The number of concurrent hashes a memory budget allows: budget_bytes / per_hash_bytes,
/// at least 1. Both in bytes.
std::size_t hash_slots_for_budget(std::size_t budget_bytes, std::size_t per_hash_bytes);

/// A counting semaphore with a bounded wait. Thread-safe. Exposes the current and the highest
/// number of holders, also as metrics `auth_password_hash_in_flight` (gauge) and
/// `auth_password_hash_busy_total` (counter of callers that waited in vain).
class HashSlots {
 public:
  /// Holds one slot until destroyed.
  class Permit {
   public:
    explicit Permit(HashSlots& slots) : slots_(&slots) {}
    Permit(Permit&& other) noexcept : slots_(other.slots_) { other.slots_ = nullptr; }
    Permit& operator=(Permit&&) = delete;
    ~Permit() {
      if (slots_) slots_->release();
    }

   private:
    HashSlots* slots_;
  };

  /// `slots` >= 1 concurrent holders; a caller waits at most `max_wait` for a free one.
  HashSlots(std::size_t slots, std::chrono::milliseconds max_wait);

  /// A permit, or std::nullopt when every slot stayed taken for max_wait.
  std::optional<Permit> try_acquire();

  std::size_t capacity() const { return capacity_; }
  std::size_t in_flight() const;
  /// The highest in_flight() ever observed.
  std::size_t max_in_flight() const { return max_in_flight_.load(); }

 private:
  void release();

  const std::size_t capacity_;
  const std::chrono::milliseconds max_wait_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::size_t used_ = 0;
  std::atomic<std::size_t> max_in_flight_{0};
  metrics::Gauge& in_flight_gauge_;
  metrics::Counter& busy_;
};

}  // namespace botfactory::auth
