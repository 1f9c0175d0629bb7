#include "chat/model_status_repository.hpp"

#include "botfactory/pg/pool.hpp"

namespace botfactory::channel {
namespace {

// clock_timestamp(), not now(): two outcomes recorded in quick succession stay ordered.
// A model reply rewrites the row at most once a second while no fallback came after the last
// one (a busy bot wrote it on every reply); after a fallback the next reply always writes, so
// `degraded` (fallback newer than the last reply) clears at once.
constexpr const char* kRecordModelReply =
    "INSERT INTO chat.bot_model_status AS s (bot_id, tenant_id, last_model_reply_at) "
    "VALUES ($1, $2, clock_timestamp()) "
    "ON CONFLICT (bot_id) DO UPDATE SET last_model_reply_at = EXCLUDED.last_model_reply_at "
    "WHERE s.tenant_id = EXCLUDED.tenant_id AND (s.last_model_reply_at IS NULL "
    "OR s.last_model_reply_at < EXCLUDED.last_model_reply_at - interval '1 second' "
    "OR (s.last_fallback_at IS NOT NULL AND s.last_fallback_at >= s.last_model_reply_at))";

constexpr const char* kRecordFallback =
    "INSERT INTO chat.bot_model_status AS s "
    "(bot_id, tenant_id, last_fallback_reason, last_fallback_at, last_error_message) "
    "VALUES ($1, $2, $3, clock_timestamp(), $4) "
    "ON CONFLICT (bot_id) DO UPDATE SET last_fallback_reason = EXCLUDED.last_fallback_reason, "
    "last_fallback_at = EXCLUDED.last_fallback_at, "
    "last_error_message = EXCLUDED.last_error_message "
    "WHERE s.tenant_id = EXCLUDED.tenant_id";

constexpr const char* kFind =
    "SELECT tenant_id::text, last_fallback_reason, "
    "(extract(epoch from last_fallback_at) * 1000000)::bigint, "
    "(extract(epoch from last_model_reply_at) * 1000000)::bigint, last_error_message "
    "FROM chat.bot_model_status WHERE bot_id = $1";

}  // namespace

ModelStatusRepository::ModelStatusRepository(pg::Pool& pool) : pool_(pool) {}

void ModelStatusRepository::record_model_reply(const std::string& tenant_id,
                                               const std::string& bot_id) {
  auto connection = pool_.acquire();
  connection->exec_prepared("ms_record_model_reply", kRecordModelReply, {bot_id, tenant_id});
}

void ModelStatusRepository::record_fallback(const std::string& tenant_id,
                                            const std::string& bot_id, const std::string& reason,
                                            const std::optional<std::string>& error_message) {
  auto connection = pool_.acquire();
  connection->exec(kRecordFallback, {bot_id, tenant_id, reason, error_message});
}

std::optional<ModelStatusRecord> ModelStatusRepository::find(const std::string& bot_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kFind, {bot_id});
  if (r.rows() == 0) return std::nullopt;
  ModelStatusRecord record;
  record.tenant_id = r.str(0, 0);
  record.last_fallback_reason = r.str(0, 1);
  if (!r.is_null(0, 2)) record.last_fallback_at_us = r.int64(0, 2);
  if (!r.is_null(0, 3)) record.last_model_reply_at_us = r.int64(0, 3);
  if (!r.is_null(0, 4)) record.last_error_message = r.str(0, 4);
  return record;
}

}  // namespace botfactory::channel
