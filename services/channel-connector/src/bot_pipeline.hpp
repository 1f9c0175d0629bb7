#pragma once
// The bot's answer to one visitor message: reply rate -> registry GetBot -> subscription
// ConsumeQuota -> ai-proxy Generate (deltas published as they stream) -> the reply committed as a
// bot message.

#include <memory>
#include <string>

#include "pipeline_ports.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

/// Tunables of the pipeline.
struct PipelineSettings {
  /// Earlier messages sent as history (the visitor message itself goes as user_text).
  int history_turns = 10;
};

/// Runs the pipeline for one visitor message. Never throws. First asks `rate` (the bot's reply
/// rate, BOT_REPLIES_PER_MIN): over it, neither the quota nor the model is used; the visitor
/// gets the "busy" notice once per conversation and window and nothing for later messages of
/// that window (their messages stay stored; operators see them). Otherwise it always leaves
/// the visitor a bot message: the reply, the "quota exhausted" notice, or an apology. Every
/// bot message is in the bot's language and posted with client_id
/// "bot-reply-<visitor message id>", so a repeated run posts nothing new. Thread-safe (no state
/// besides the collaborators').
class BotPipeline {
 public:
  BotPipeline(BotDirectory& bots, QuotaGate& quota, ReplyGenerator& generator, ChatOps& chat,
              ReplyRateGate& rate, metrics::Registry& registry, PipelineSettings settings = {});

  /// The outcome of one run, for metrics and tests. kBusy: the busy notice was posted; kSkipped:
  /// over the rate, nothing posted.
  enum class Outcome { kReplied, kQuotaExhausted, kApologized, kNotPosted, kBusy, kSkipped };

  Outcome run(const VisitorMessage& visitor);

 private:
  BotDirectory& bots_;
  QuotaGate& quota_;
  ReplyGenerator& generator_;
  ChatOps& chat_;
  ReplyRateGate& rate_;
  PipelineSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  metrics::Counter& replied_;
  metrics::Counter& quota_exhausted_;
  metrics::Counter& apologized_;
  metrics::Counter& not_posted_;
  metrics::Counter& busy_;
  metrics::Counter& skipped_;
};

}  // namespace botfactory::channel
