#include "chat/model_status.hpp"

#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "chat/validation.hpp"

namespace botfactory::channel {
namespace {

constexpr std::size_t kMaxErrorCodePoints = 500;

}  // namespace

ModelStatus::ModelStatus(ModelStatusRepository& repository, metrics::Registry& registry)
    : repository_(repository),
      log_(common::logger("model-status")),
      failures_(registry.counter("chat_model_status_failures_total",
                                 "Bot model outcomes that could not be recorded")) {}

void ModelStatus::record_model_outcome(const std::string& tenant_id, const std::string& bot_id,
                                       const std::string& fallback_reason,
                                       const std::optional<std::string>& error_message) {
  try {
    if (fallback_reason.empty()) {
      repository_.record_model_reply(tenant_id, bot_id);
      return;
    }
    std::optional<std::string> message;
    if (error_message) message = truncate_code_points(*error_message, kMaxErrorCodePoints);
    repository_.record_fallback(tenant_id, bot_id, fallback_reason, message);
  } catch (const std::exception& e) {
    failures_.inc();
    log_->warn("recording the model outcome of bot {} failed: {}", bot_id,
               common::json_escape(e.what()));
  }
}

chat::v1::BotModelStatus ModelStatus::get(const chat::v1::GetBotModelStatusRequest& request) {
  rpc::require_tenant(request.tenant_id());
  if (!common::is_uuid(request.bot_id())) rpc::throw_invalid("bot_id must be a UUID");
  chat::v1::BotModelStatus status;
  status.set_bot_id(request.bot_id());
  auto record = repository_.find(request.bot_id());
  if (!record) return status;
  if (record->tenant_id != request.tenant_id()) rpc::throw_not_found("bot not found");
  status.set_last_fallback_reason(record->last_fallback_reason);
  if (record->last_fallback_at_us) {
    *status.mutable_last_fallback_at() = rpc::timestamp_from_micros(*record->last_fallback_at_us);
  }
  if (record->last_model_reply_at_us) {
    *status.mutable_last_model_reply_at() =
        rpc::timestamp_from_micros(*record->last_model_reply_at_us);
  }
  status.set_degraded(record->last_fallback_at_us &&
                      (!record->last_model_reply_at_us ||
                       *record->last_fallback_at_us > *record->last_model_reply_at_us));
  return status;
}

}  // namespace botfactory::channel
