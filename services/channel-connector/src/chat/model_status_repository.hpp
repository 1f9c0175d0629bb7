#pragma once
// PostgreSQL access to chat.bot_model_status: the last model outcome of each bot's replies.

#include <cstdint>
#include <optional>
#include <string>

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// One bot's row of chat.bot_model_status. Times are Unix epoch microseconds (UTC).
struct ModelStatusRecord {
  std::string tenant_id;
  std::string last_fallback_reason;  // "" when there was no fallback yet
  std::optional<std::int64_t> last_fallback_at_us;
  std::optional<std::int64_t> last_model_reply_at_us;
  std::optional<std::string> last_error_message;
};

/// Upserts and reads chat.bot_model_status (migration V020). Thread-safe (pooled connections).
/// Errors are thrown as pg::Error.
class ModelStatusRepository {
 public:
  explicit ModelStatusRepository(pg::Pool& pool);

  /// Records a reply of the bot's configured provider (last_model_reply_at = now). One upsert;
  /// a row of another tenant (bot ids are UUIDs, so only a forged id) is left unchanged.
  void record_model_reply(const std::string& tenant_id, const std::string& bot_id);

  /// Records a fallback or failed Generate: `reason` (ai.v1 FinalReply.fallback_reason),
  /// last_fallback_at = now, last_error_message = `error_message` (NULL when unset; UTF-8,
  /// bounded by the caller). Same upsert rules as record_model_reply.
  void record_fallback(const std::string& tenant_id, const std::string& bot_id,
                       const std::string& reason, const std::optional<std::string>& error_message);

  /// The row of `bot_id` (a UUID), whatever its tenant; std::nullopt when the bot has none.
  std::optional<ModelStatusRecord> find(const std::string& bot_id);

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
