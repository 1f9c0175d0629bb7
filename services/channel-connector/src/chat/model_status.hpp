#pragma once
// The last model outcome of each bot (issue 7, "a clear state to the tenant"): recorded by the
// bot pipeline, read by GetBotModelStatus.

#include <memory>

#include "botfactory/chat/v1/chat.pb.h"
#include "chat/model_status_repository.hpp"
#include "pipeline/pipeline_ports.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

/// Records outcomes in ModelStatusRepository (one upsert per reply) and answers
/// GetBotModelStatus. Thread-safe. `repository` must outlive it.
class ModelStatus final : public ModelOutcomeSink {
 public:
  ModelStatus(ModelStatusRepository& repository, metrics::Registry& registry);

  /// ModelOutcomeSink: the error message is cut to 500 code points; storage failures are logged
  /// and counted (chat_model_status_failures_total), never thrown.
  void record_model_outcome(const std::string& tenant_id, const std::string& bot_id,
                            const std::string& fallback_reason,
                            const std::optional<std::string>& error_message) override;

  /// GetBotModelStatus (chat.proto): tenant_id required (INVALID_ARGUMENT when empty or not a
  /// UUID), bot_id a UUID (INVALID_ARGUMENT). NOT_FOUND when the bot's recorded row belongs to
  /// another tenant; every field empty (degraded = false) when the bot has no row yet.
  /// degraded = a fallback is recorded and it is newer than the last model reply.
  chat::v1::BotModelStatus get(const chat::v1::GetBotModelStatusRequest& request);

 private:
  ModelStatusRepository& repository_;
  std::shared_ptr<spdlog::logger> log_;
  metrics::Counter& failures_;
};

}  // namespace botfactory::channel
