#pragma once
// tidy: PostgreSQL access to chat.tenant_storage (migration V095), the running total of the
// bytes each tenant keeps in the attachment store, checked against its plan's
// max_storage_bytes before an upload's bytes are stored.

#include <cstdint>
#include <string>

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// Thread-safe (each method borrows one pooled connection); pg::Error on database failures.
class StorageUsageRepository {
 public:
  explicit StorageUsageRepository(pg::Pool& pool);

  /// Adds `bytes` (> 0) to the tenant's total if the total stays ≤ `max_bytes`, in one statement
  /// (two replicas cannot both pass the same headroom). False, and nothing changed, otherwise.
  bool reserve(const std::string& tenant_id, std::int64_t bytes, std::int64_t max_bytes);

  /// Gives back `bytes` of an upload that failed before its row was inserted (never below 0).
  void release(const std::string& tenant_id, std::int64_t bytes);

  /// The tenant's stored bytes (0 for a tenant that never uploaded).
  std::int64_t used(const std::string& tenant_id);

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
