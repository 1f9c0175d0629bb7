#pragma once
// PostgreSQL access for canned responses (saved replies): chat.canned_responses (migration V130).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// One stored saved reply. Times are Unix epoch microseconds (UTC).
struct CannedRow {
  std::string id;
  std::string short_code;
  std::string content;
  std::int64_t created_at_us = 0;
  std::int64_t updated_at_us = 0;
};

/// What insert() did.
enum class CannedInsert { kCreated, kDuplicate, kFull };

/// Reads and writes chat.canned_responses. Thread-safe (pooled connections); every call is
/// scoped by tenant (another tenant's id finds nothing). Errors are thrown as pg::Error.
class CannedRepository {
 public:
  explicit CannedRepository(pg::Pool& pool);

  /// Every row of `tenant_id` (UUID), by short code, at most `max_rows`.
  std::vector<CannedRow> list(const std::string& tenant_id, int max_rows);

  /// Adds a row unless the tenant already has `max_rows` rows (kFull) or the short code is taken
  /// (kDuplicate). Counts and inserts in one transaction under a per-tenant advisory lock, so
  /// concurrent inserts cannot pass the bound together. `out` gets the row on kCreated.
  CannedInsert insert(const std::string& tenant_id, const std::string& short_code,
                      const std::string& content, int max_rows, CannedRow& out);

  /// Sets the given fields of row `id` of `tenant_id` (both UUIDs) and moves updated_at.
  /// nullopt when there is no such row of the tenant; `duplicate` is set (and nullopt returned)
  /// when the new short code is taken.
  std::optional<CannedRow> update(const std::string& tenant_id, const std::string& id,
                                  const std::optional<std::string>& short_code,
                                  const std::optional<std::string>& content, bool& duplicate);

  /// Removes row `id` of `tenant_id`; false when there is none.
  bool remove(const std::string& tenant_id, const std::string& id);

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
