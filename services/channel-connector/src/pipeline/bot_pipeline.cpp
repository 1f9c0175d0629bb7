#include "pipeline/bot_pipeline.hpp"

#include "chat/ai_command.hpp"
#include "pipeline/bot_phrases.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/validation.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kFallbackBotName = "Assistant";
constexpr const char* kOutcomeMetric = "chat_pipeline_runs_total";
constexpr const char* kOutcomeHelp = "Bot pipeline runs by outcome";
constexpr const char* kFallbackMetric = "chat_pipeline_fallbacks_total";
constexpr const char* kFallbackHelp =
    "Replies ai-proxy answered without the bot's configured provider, by fallback_reason";
constexpr const char* kUsageMetric = "chat_token_usage_records_total";
constexpr const char* kUsageHelp = "RecordTokenUsage calls after a reply, by result";

// FinalReply.fallback_reason values (ai.proto); anything else is counted as "other".
constexpr const char* kFallbackReasons[] = {"no_key",           "provider_unavailable",
                                            "provider_rate_limited", "provider_refused",
                                            "circuit_open",     "token_allowance_exhausted"};

/// The fallback_reason a failed Generate stands for (the ai-proxy codes of chat.proto's
/// contract: RESOURCE_EXHAUSTED = rate limit / quota, FAILED_PRECONDITION = refused key/model,
/// anything else = provider down).
std::string failure_reason(grpc::StatusCode code) {
  if (code == grpc::StatusCode::RESOURCE_EXHAUSTED) return "provider_rate_limited";
  if (code == grpc::StatusCode::FAILED_PRECONDITION) return "provider_refused";
  return "provider_unavailable";
}

std::string label(const char* key, const std::string& value) {
  return std::string(key) + "=\"" + value + "\"";
}

/// The /ai context: a participant's earlier commands count as their questions; bare ones go.
std::vector<Turn> as_questions(std::vector<Turn> turns) {
  std::vector<Turn> out;
  out.reserve(turns.size());
  for (auto& turn : turns) {
    if (auto question = parse_ai_command(turn.text)) {
      if (question->empty()) continue;
      turn.text = std::move(*question);
    }
    out.push_back(std::move(turn));
  }
  return out;
}

}  // namespace

/// What run() will post.
struct BotPipeline::Draft {
  BotProfile bot;
  std::string text;
  std::vector<ReplySource> sources;
  Outcome outcome = Outcome::kApologized;
  std::optional<TokenUsageRecord> usage;
  std::optional<bool> answered;  // set for a model reply
};

std::optional<TokenUsageRecord> estimate_cancelled_usage(const GenerateInput& input,
                                                         std::size_t streamed_bytes) {
  if (input.provider.empty() || input.provider == "extractive" || input.tokens_exhausted) {
    return std::nullopt;
  }
  auto tokens = [](std::size_t bytes) { return static_cast<std::int64_t>((bytes + 3) / 4); };
  std::size_t prompt = input.instructions.size() + input.user_text.size();
  for (const auto& turn : input.history) prompt += turn.text.size();
  return TokenUsageRecord{input.tenant_id, input.bot_id, "", input.provider, input.model,
                          tokens(prompt), tokens(streamed_bytes)};
}

BotPipeline::BotPipeline(BotDirectory& bots, QuotaGate& quota, ReplyGenerator& generator,
                         ChatOps& chat, ReplyRateGate& rate, TokenMeter& meter,
                         metrics::Registry& registry, PipelineSettings settings)
    : bots_(bots),
      quota_(quota),
      generator_(generator),
      chat_(chat),
      rate_(rate),
      meter_(meter),
      settings_(std::move(settings)),
      log_(common::logger("pipeline")),
      ai_commands_(registry.counter("chat_pipeline_ai_commands_total",
                                    "/ai commands handed to the pipeline")),
      tokens_exhausted_(registry.counter(
          "chat_pipeline_tokens_exhausted_total",
          "Generate calls sent with tokens_exhausted (the tenant's token allowance is used up)")),
      deltas_received_(registry.counter("chat_pipeline_deltas_received_total",
                                        "Reply deltas received from ai-proxy")),
      deltas_published_(registry.counter("chat_pipeline_deltas_published_total",
                                         "Coalesced message.delta events handed to Redis")),
      usage_recorded_(registry.counter(kUsageMetric, kUsageHelp, R"(result="recorded")")),
      usage_duplicate_(registry.counter(kUsageMetric, kUsageHelp, R"(result="duplicate")")),
      usage_unimplemented_(registry.counter(kUsageMetric, kUsageHelp, R"(result="unimplemented")")),
      usage_failed_(registry.counter(kUsageMetric, kUsageHelp, R"(result="failed")")),
      cancelled_(registry.counter("chat_pipeline_replies_cancelled_total",
                                  "Model replies cancelled because the widget visitor was gone")) {
  const std::pair<Outcome, const char*> outcomes[] = {
      {Outcome::kReplied, "replied"},         {Outcome::kQuotaExhausted, "quota_exhausted"},
      {Outcome::kApologized, "apologized"},   {Outcome::kNotPosted, "not_posted"},
      {Outcome::kBusy, "busy"},               {Outcome::kSkipped, "skipped"},
      {Outcome::kProviderBusy, "provider_busy"}, {Outcome::kAiUsage, "ai_usage"},
      {Outcome::kHumanHandles, "human_handles"}, {Outcome::kCancelled, "cancelled"}};
  for (const auto& [outcome, name] : outcomes) {
    outcomes_[outcome] = &registry.counter(kOutcomeMetric, kOutcomeHelp, label("outcome", name));
  }
  for (const char* reason : kFallbackReasons) {
    fallbacks_[reason] = &registry.counter(kFallbackMetric, kFallbackHelp, label("reason", reason));
  }
  fallbacks_["other"] = &registry.counter(kFallbackMetric, kFallbackHelp, R"(reason="other")");
}

bool BotPipeline::human_handles(const VisitorMessage& message) {
  try {
    return chat_.human_handles(message.conversation_id);
  } catch (const std::exception& e) {
    // The bot answers: a reply too many beats a visitor left without one.
    log_->warn("conversation {}: reading its handler failed: {}", message.conversation_id,
               common::json_escape(e.what()));
    return false;
  }
}

void BotPipeline::count(Outcome outcome) { outcomes_.at(outcome)->inc(); }

metrics::Counter& BotPipeline::fallback_counter(const std::string& reason) {
  auto it = fallbacks_.find(reason);
  return *(it != fallbacks_.end() ? it->second : fallbacks_.at("other"));
}

BotPipeline::Outcome BotPipeline::run(const VisitorMessage& message) {
  auto command = parse_ai_command(message.text);
  if (!command && message.sender_kind != common::v1::SENDER_KIND_VISITOR) {
    count(Outcome::kSkipped);  // only visitors get answers without asking
    return Outcome::kSkipped;
  }
  if (!command && human_handles(message)) {
    count(Outcome::kHumanHandles);  // an operator took over: the person answers, not the bot
    return Outcome::kHumanHandles;
  }
  if (command) ai_commands_.inc();
  std::string client_id =
      command ? ai_reply_client_id(message.message_id) : "bot-reply-" + message.message_id;

  Draft draft;
  draft.bot.id = message.bot_id;
  draft.bot.tenant_id = message.tenant_id;
  draft.bot.name = kFallbackBotName;
  draft.bot.language = "en";
  if (command && command->empty()) {
    // Only the usage hint: no rate, quota or model. The bot's name and language when known.
    try {
      draft.bot = bots_.get_bot(message.tenant_id, message.bot_id);
      if (draft.bot.name.empty()) draft.bot.name = kFallbackBotName;
    } catch (const std::exception& e) {
      log_->warn("conversation {}: registry failed for the /ai hint: {}", message.conversation_id,
                 common::json_escape(e.what()));
    }
    draft.text = ai_usage_text(draft.bot.language);
    draft.outcome = Outcome::kAiUsage;
  } else {
    // Before the registry, the quota and the model: a flood over the rate costs one Redis call.
    auto verdict = rate_.admit_reply(message.bot_id, message.conversation_id);
    if (verdict == ReplyRateGate::Verdict::kSilent) {
      count(Outcome::kSkipped);
      return Outcome::kSkipped;
    }
    answer(message, command, verdict, draft);
  }

  Outcome outcome = draft.outcome;
  if (outcome == Outcome::kCancelled) {
    // Nobody is left to read it: nothing is posted (the visitor's message stays, unanswered);
    // the tokens spent until the cancel are still metered.
    if (draft.usage) {
      draft.usage->reply_id = client_id;
      record_usage(*draft.usage);
    }
    count(outcome);
    return outcome;
  }
  try {
    chat_.post_bot_message(BotMessage{message.conversation_id, client_id, draft.bot.id,
                                      draft.bot.name, draft.text, std::move(draft.sources),
                                      draft.answered, draft.bot.language});
  } catch (const std::exception& e) {
    log_->error("conversation {}: posting the bot message for seq {} failed: {}",
                message.conversation_id, message.seq, common::json_escape(e.what()));
    outcome = Outcome::kNotPosted;
  }
  // The tokens were spent whether or not the message could be stored.
  if (draft.usage) {
    draft.usage->reply_id = client_id;
    record_usage(*draft.usage);
  }
  count(outcome);
  return outcome;
}

void BotPipeline::answer(const VisitorMessage& message, const std::optional<std::string>& command,
                         ReplyRateGate::Verdict verdict, Draft& draft) {
  try {
    draft.bot = bots_.get_bot(message.tenant_id, message.bot_id);
    if (draft.bot.name.empty()) draft.bot.name = kFallbackBotName;
    if (verdict == ReplyRateGate::Verdict::kBusyNotice) {
      draft.text = busy_text(draft.bot.language);
      draft.outcome = Outcome::kBusy;
      return;
    }
    auto grant = quota_.consume_bot_reply(message.tenant_id);
    if (!grant.granted) {
      log_->info("conversation {}: bot reply quota of tenant {} exhausted",
                 message.conversation_id, message.tenant_id);
      draft.text = quota_exhausted_text(draft.bot.language);
      draft.outcome = Outcome::kQuotaExhausted;
      return;
    }
    generate(message, command, grant, draft);
  } catch (const rpc::StatusError& e) {
    if (e.code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      // Only ai-proxy says this here: the provider's rate limit or quota (the reply quota is
      // QuotaGrant::granted, never an error).
      auto retry = rpc::retry_after_seconds(grpc::Status(e.code(), e.what(), e.details()));
      log_->info("conversation {}: model provider busy (retry in {} s)", message.conversation_id,
                 retry.value_or(0));
      draft.text = provider_busy_text(draft.bot.language);
      draft.outcome = Outcome::kProviderBusy;
    } else {
      log_->warn("conversation {}: reply to seq {} failed: {}", message.conversation_id,
                 message.seq, common::json_escape(e.what()));
      draft.text = apology_text(draft.bot.language);
      draft.outcome = Outcome::kApologized;
    }
  } catch (const std::exception& e) {
    log_->warn("conversation {}: reply to seq {} failed: {}", message.conversation_id, message.seq,
               common::json_escape(e.what()));
    draft.text = apology_text(draft.bot.language);
    draft.outcome = Outcome::kApologized;
  }
}

void BotPipeline::generate(const VisitorMessage& message, const std::optional<std::string>& command,
                           const QuotaGrant& grant, Draft& draft) {
  const auto& bot = draft.bot;
  GenerateInput input;
  input.tenant_id = message.tenant_id;
  input.bot_id = message.bot_id;
  input.conversation_id = message.conversation_id;
  input.language = bot.language;
  input.instructions = bot.instructions;
  input.provider = bot.provider;
  input.model = bot.model;
  input.temperature = bot.temperature;
  input.tokens_exhausted = grant.tokens_exhausted();
  if (input.tokens_exhausted) tokens_exhausted_.inc();
  if (command) {
    input.history = as_questions(chat_.participant_turns(message.conversation_id, message.seq,
                                                         message.sender_kind, message.sender_id,
                                                         settings_.history_turns));
    input.user_text = *command;
  } else {
    input.history =
        chat_.recent_turns(message.conversation_id, message.seq, settings_.history_turns);
    input.user_text = message.text;
  }

  // The bot "types" while the model works; its next message.new (reply, notice or apology)
  // ends it (docs/protocol.md, "Typing").
  chat_.publish_typing(message.conversation_id, bot.id, bot.name);
  DeltaCoalescer deltas(settings_.deltas, settings_.clock, [&](std::string_view text) {
    deltas_published_.inc();
    chat_.publish_delta(message.conversation_id, message.seq, text);
  });
  std::optional<VisitorWatch> watch;
  if (presence_ && message.channel == "web") {
    watch.emplace(*presence_, message.conversation_id, watch_settings_, settings_.clock);
  }
  std::size_t streamed_bytes = 0;
  GeneratedReply reply;
  try {
    reply = generator_.generate(input, [&](std::string_view delta) {
      deltas_received_.inc();
      streamed_bytes += delta.size();
      if (watch && watch->gone()) throw ReplyCancelled();  // the generator cancels the call
      deltas.add(delta);
    });
  } catch (const ReplyCancelled&) {
    // What is still held in the coalescer is dropped: nobody reads it.
    cancelled_.inc();
    log_->info("conversation {}: visitor gone, reply to seq {} cancelled after {} bytes",
               message.conversation_id, message.seq, streamed_bytes);
    chat_.publish_typing_stop(message.conversation_id, bot.id, bot.name);
    draft.usage = estimate_cancelled_usage(input, streamed_bytes);
    draft.outcome = Outcome::kCancelled;
    return;
  } catch (const rpc::StatusError& e) {
    deltas.finish();  // what streamed so far, before the notice that replaces it
    if (outcome_sink_) {
      outcome_sink_->record_model_outcome(message.tenant_id, message.bot_id,
                                          failure_reason(e.code()), std::string(e.what()));
    }
    throw;
  } catch (...) {
    deltas.finish();
    throw;
  }
  deltas.finish();

  if (!reply.fallback_reason.empty()) fallback_counter(reply.fallback_reason).inc();
  if (outcome_sink_) {
    outcome_sink_->record_model_outcome(message.tenant_id, message.bot_id, reply.fallback_reason,
                                        std::nullopt);
  }
  if (reply.prompt_tokens > 0 || reply.completion_tokens > 0) {
    draft.usage = TokenUsageRecord{message.tenant_id, message.bot_id, "",
                                   reply.provider,    reply.model,    reply.prompt_tokens,
                                   reply.completion_tokens};
  }
  draft.text = truncate_code_points(common::trim(reply.text), kMaxTextCodePoints);
  if (draft.text.empty()) {
    log_->warn("conversation {}: ai-proxy returned an empty reply", message.conversation_id);
    draft.text = apology_text(bot.language);
    draft.outcome = Outcome::kApologized;
    return;
  }
  draft.sources = std::move(reply.sources);
  draft.answered = reply.answered;
  draft.outcome = Outcome::kReplied;
}

void BotPipeline::record_usage(const TokenUsageRecord& usage) {
  try {
    if (meter_.record_token_usage(usage)) {
      usage_duplicate_.inc();
    } else {
      usage_recorded_.inc();
    }
  } catch (const rpc::StatusError& e) {
    if (e.code() == grpc::StatusCode::UNIMPLEMENTED) {
      usage_unimplemented_.inc();
      log_->debug("RecordTokenUsage not served by subscription yet; reply {} not metered",
                  usage.reply_id);
      return;
    }
    usage_failed_.inc();
    log_->warn("recording {} tokens of reply {} (tenant {}) failed: {}",
               usage.prompt_tokens + usage.completion_tokens, usage.reply_id, usage.tenant_id,
               common::json_escape(e.what()));
  } catch (const std::exception& e) {
    usage_failed_.inc();
    log_->warn("recording the tokens of reply {} failed: {}", usage.reply_id,
               common::json_escape(e.what()));
  }
}

}  // namespace botfactory::channel
