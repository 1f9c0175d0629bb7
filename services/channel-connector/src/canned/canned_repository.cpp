#include "canned/canned_repository.hpp"

#include "botfactory/pg/pool.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kColumns =
    "id::text, short_code, content, (extract(epoch FROM created_at) * 1000000)::bigint, "
    "(extract(epoch FROM updated_at) * 1000000)::bigint";

const std::string kList = std::string("SELECT ") + kColumns +
                          " FROM chat.canned_responses WHERE tenant_id = $1 "
                          "ORDER BY short_code LIMIT $2";

constexpr const char* kLockTenant =
    "SELECT pg_advisory_xact_lock(hashtext('chat.canned_responses.' || $1))";

constexpr const char* kCount = "SELECT count(*) FROM chat.canned_responses WHERE tenant_id = $1";

const std::string kInsert = std::string(
                                "INSERT INTO chat.canned_responses (tenant_id, short_code, content) "
                                "VALUES ($1, $2, $3) ON CONFLICT (tenant_id, short_code) DO NOTHING "
                                "RETURNING ") +
                            kColumns;

const std::string kUpdate = std::string(
                                "UPDATE chat.canned_responses SET "
                                "short_code = COALESCE($3, short_code), "
                                "content = COALESCE($4, content), updated_at = now() "
                                "WHERE tenant_id = $1 AND id = $2 RETURNING ") +
                            kColumns;

constexpr const char* kDelete = "DELETE FROM chat.canned_responses WHERE tenant_id = $1 AND id = $2";

CannedRow row_of(const pg::Result& r, int i) {
  return CannedRow{r.str(i, 0), r.str(i, 1), r.str(i, 2), r.int64(i, 3), r.int64(i, 4)};
}

}  // namespace

CannedRepository::CannedRepository(pg::Pool& pool) : pool_(pool) {}

std::vector<CannedRow> CannedRepository::list(const std::string& tenant_id, int max_rows) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("canned_list", kList, {tenant_id, std::to_string(max_rows)});
  std::vector<CannedRow> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(row_of(r, i));
  return rows;
}

CannedInsert CannedRepository::insert(const std::string& tenant_id, const std::string& short_code,
                                      const std::string& content, int max_rows, CannedRow& out) {
  auto connection = pool_.acquire();
  pg::Transaction transaction(*connection);
  connection->exec(kLockTenant, {tenant_id});
  if (connection->exec(kCount, {tenant_id}).int64(0, 0) >= max_rows) return CannedInsert::kFull;
  auto r = connection->exec(kInsert, {tenant_id, short_code, content});
  if (r.rows() == 0) return CannedInsert::kDuplicate;
  out = row_of(r, 0);
  transaction.commit();
  return CannedInsert::kCreated;
}

std::optional<CannedRow> CannedRepository::update(const std::string& tenant_id,
                                                  const std::string& id,
                                                  const std::optional<std::string>& short_code,
                                                  const std::optional<std::string>& content,
                                                  bool& duplicate) {
  duplicate = false;
  auto connection = pool_.acquire();
  try {
    auto r = connection->exec(kUpdate, {tenant_id, id, short_code, content});
    if (r.rows() == 0) return std::nullopt;
    return row_of(r, 0);
  } catch (const pg::Error& e) {
    if (!e.is_unique_violation()) throw;
    duplicate = true;
    return std::nullopt;
  }
}

bool CannedRepository::remove(const std::string& tenant_id, const std::string& id) {
  auto connection = pool_.acquire();
  return connection->exec(kDelete, {tenant_id, id}).affected() > 0;
}

}  // namespace botfactory::channel
