#include "bot_pipeline.hpp"

#include "bot_phrases.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/metrics/registry.hpp"
#include "validation.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kFallbackBotName = "Assistant";
constexpr const char* kOutcomeMetric = "chat_pipeline_runs_total";
constexpr const char* kOutcomeHelp = "Bot pipeline runs by outcome";

}  // namespace

BotPipeline::BotPipeline(BotDirectory& bots, QuotaGate& quota, ReplyGenerator& generator,
                         ChatOps& chat, ReplyRateGate& rate, metrics::Registry& registry,
                         PipelineSettings settings)
    : bots_(bots),
      quota_(quota),
      generator_(generator),
      chat_(chat),
      rate_(rate),
      settings_(settings),
      log_(common::logger("pipeline")),
      replied_(registry.counter(kOutcomeMetric, kOutcomeHelp, R"(outcome="replied")")),
      quota_exhausted_(registry.counter(kOutcomeMetric, kOutcomeHelp, R"(outcome="quota_exhausted")")),
      apologized_(registry.counter(kOutcomeMetric, kOutcomeHelp, R"(outcome="apologized")")),
      not_posted_(registry.counter(kOutcomeMetric, kOutcomeHelp, R"(outcome="not_posted")")),
      busy_(registry.counter(kOutcomeMetric, kOutcomeHelp, R"(outcome="busy")")),
      skipped_(registry.counter(kOutcomeMetric, kOutcomeHelp, R"(outcome="skipped")")) {}

BotPipeline::Outcome BotPipeline::run(const VisitorMessage& visitor) {
  BotProfile bot;
  bot.id = visitor.bot_id;
  bot.tenant_id = visitor.tenant_id;
  bot.name = kFallbackBotName;
  bot.language = "en";
  std::string text;
  Outcome outcome = Outcome::kApologized;
  // Before the registry, the quota and the model: a flood over the rate costs one Redis call.
  auto verdict = rate_.admit_reply(visitor.bot_id, visitor.conversation_id);
  if (verdict == ReplyRateGate::Verdict::kSilent) {
    skipped_.inc();
    return Outcome::kSkipped;
  }
  try {
    bot = bots_.get_bot(visitor.tenant_id, visitor.bot_id);
    if (bot.name.empty()) bot.name = kFallbackBotName;
    if (verdict == ReplyRateGate::Verdict::kBusyNotice) {
      text = busy_text(bot.language);
      outcome = Outcome::kBusy;
    } else if (!quota_.consume_bot_reply(visitor.tenant_id)) {
      log_->info("conversation {}: bot reply quota of tenant {} exhausted", visitor.conversation_id,
                 visitor.tenant_id);
      text = quota_exhausted_text(bot.language);
      outcome = Outcome::kQuotaExhausted;
    } else {
      GenerateInput input;
      input.tenant_id = visitor.tenant_id;
      input.bot_id = visitor.bot_id;
      input.conversation_id = visitor.conversation_id;
      input.language = bot.language;
      input.instructions = bot.instructions;
      input.provider = bot.provider;
      input.model = bot.model;
      input.temperature = bot.temperature;
      input.history =
          chat_.recent_turns(visitor.conversation_id, visitor.seq, settings_.history_turns);
      input.user_text = visitor.text;
      auto reply = generator_.generate(input, [&](std::string_view delta) {
        chat_.publish_delta(visitor.conversation_id, visitor.seq, delta);
      });
      text = truncate_code_points(common::trim(reply), kMaxTextCodePoints);
      if (text.empty()) {
        log_->warn("conversation {}: ai-proxy returned an empty reply", visitor.conversation_id);
        text = apology_text(bot.language);
      } else {
        outcome = Outcome::kReplied;
      }
    }
  } catch (const std::exception& e) {
    log_->warn("conversation {}: reply to seq {} failed: {}", visitor.conversation_id, visitor.seq,
               common::json_escape(e.what()));
    text = apology_text(bot.language);
    outcome = Outcome::kApologized;
  }

  try {
    chat_.post_bot_message(BotMessage{visitor.conversation_id, "bot-reply-" + visitor.message_id,
                                      bot.id, bot.name, text});
  } catch (const std::exception& e) {
    log_->error("conversation {}: posting the bot message for seq {} failed: {}",
                visitor.conversation_id, visitor.seq, common::json_escape(e.what()));
    not_posted_.inc();
    return Outcome::kNotPosted;
  }
  switch (outcome) {
    case Outcome::kReplied:
      replied_.inc();
      break;
    case Outcome::kQuotaExhausted:
      quota_exhausted_.inc();
      break;
    case Outcome::kBusy:
      busy_.inc();
      break;
    default:
      apologized_.inc();
      break;
  }
  return outcome;
}

}  // namespace botfactory::channel
