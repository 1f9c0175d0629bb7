#include "attachments/attachment_sweep_repository.hpp"

#include "botfactory/common/logging.hpp"
#include "botfactory/pg/pool.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kQueueOrphans =
    "DELETE FROM chat.attachments WHERE id IN ("
    "SELECT id FROM chat.attachments WHERE message_id IS NULL "
    "AND created_at < now() - $2::bigint * interval '1 millisecond' "
    "ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)";

constexpr const char* kTake =
    "SELECT id, tenant_id::text, storage_key, COALESCE(thumbnail_key, ''), size_bytes "
    "FROM chat.attachment_sweep ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED";

// The rows removed decide the bytes given back: a row is subtracted exactly once.
constexpr const char* kFinish =
    "WITH gone AS (DELETE FROM chat.attachment_sweep WHERE id = ANY($1::bigint[]) "
    "RETURNING tenant_id, size_bytes), "
    "per_tenant AS (SELECT tenant_id, sum(size_bytes) AS bytes FROM gone GROUP BY tenant_id) "
    "UPDATE chat.tenant_storage t SET used_bytes = greatest(0, t.used_bytes - p.bytes), "
    "updated_at = now() FROM per_tenant p WHERE t.tenant_id = p.tenant_id";

}  // namespace

AttachmentSweepRepository::AttachmentSweepRepository(pg::Pool& pool) : pool_(pool) {}

int AttachmentSweepRepository::queue_orphans(int limit, std::chrono::milliseconds older_than) {
  auto connection = pool_.acquire();
  return static_cast<int>(
      connection->exec(kQueueOrphans, {std::to_string(limit), std::to_string(older_than.count())})
          .affected());
}

int AttachmentSweepRepository::sweep(int limit,
                                     const std::function<void(const SweepItem&)>& remove_files) {
  auto connection = pool_.acquire();
  pg::Transaction transaction(*connection);
  auto r = connection->exec(kTake, {std::to_string(limit)});
  std::string ids = "{";
  int removed = 0;
  for (int row = 0; row < r.rows(); ++row) {
    SweepItem item{r.str(row, 1), r.str(row, 2), r.str(row, 3), r.int64(row, 4)};
    try {
      remove_files(item);
    } catch (const std::exception& e) {  // kept for the next pass
      common::logger("attachments")->warn("sweep of {} failed: {}", item.storage_key,
                                          common::json_escape(e.what()));
      continue;
    }
    if (removed++) ids += ',';
    ids += r.str(row, 0);
  }
  ids += '}';
  if (removed > 0) connection->exec(kFinish, {ids});
  transaction.commit();
  return removed;
}

std::int64_t AttachmentSweepRepository::queued() {
  auto connection = pool_.acquire();
  return connection->exec("SELECT count(*) FROM chat.attachment_sweep").int64(0, 0);
}

}  // namespace botfactory::channel
