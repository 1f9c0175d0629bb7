#include "attachments/storage_usage_repository.hpp"

#include "botfactory/pg/pool.hpp"

namespace botfactory::channel {
namespace {

// The conditional upsert is the whole check: ON CONFLICT ... WHERE leaves the row alone (and
// returns nothing) when the new total would pass the allowance; the row lock it takes orders
// concurrent reservations of one tenant.
constexpr const char* kReserve =
    "INSERT INTO chat.tenant_storage AS t (tenant_id, used_bytes) "
    "SELECT $1::uuid, $2::bigint WHERE $2::bigint <= $3::bigint "
    "ON CONFLICT (tenant_id) DO UPDATE SET used_bytes = t.used_bytes + EXCLUDED.used_bytes, "
    "updated_at = now() WHERE t.used_bytes + EXCLUDED.used_bytes <= $3::bigint "
    "RETURNING used_bytes";

constexpr const char* kRelease =
    "UPDATE chat.tenant_storage SET used_bytes = greatest(0, used_bytes - $2::bigint), "
    "updated_at = now() WHERE tenant_id = $1";

constexpr const char* kUsed = "SELECT used_bytes FROM chat.tenant_storage WHERE tenant_id = $1";

}  // namespace

StorageUsageRepository::StorageUsageRepository(pg::Pool& pool) : pool_(pool) {}

bool StorageUsageRepository::reserve(const std::string& tenant_id, std::int64_t bytes,
                                     std::int64_t max_bytes) {
  auto connection = pool_.acquire();
  return connection->exec(kReserve, {tenant_id, std::to_string(bytes), std::to_string(max_bytes)})
             .rows() == 1;
}

void StorageUsageRepository::release(const std::string& tenant_id, std::int64_t bytes) {
  auto connection = pool_.acquire();
  connection->exec(kRelease, {tenant_id, std::to_string(bytes)});
}

std::int64_t StorageUsageRepository::used(const std::string& tenant_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kUsed, {tenant_id});
  return r.rows() ? r.int64(0, 0) : 0;
}

}  // namespace botfactory::channel
