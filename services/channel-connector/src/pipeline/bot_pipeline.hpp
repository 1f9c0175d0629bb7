#pragma once
// The bot's answer to one message: reply rate -> registry GetBot -> subscription ConsumeQuota ->
// ai-proxy Generate (deltas coalesced and published as they stream) -> the reply committed as a
// bot message with its sources -> the model tokens recorded in subscription.

#include <map>
#include <optional>
#include <memory>
#include <string>

#include "pipeline/delta_coalescer.hpp"
#include "pipeline/pipeline_ports.hpp"
#include "pipeline/visitor_watch.hpp"

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
  /// Earlier messages sent as history (the message itself goes as user_text); for an /ai
  /// command, earlier messages of the asking participant only.
  int history_turns = 10;
  /// When streamed deltas are published (PIPELINE_DELTA_FLUSH_MS / _BYTES).
  CoalesceSettings deltas;
  /// The clock of the delta coalescing (tests inject one).
  SteadyClock clock = [] { return std::chrono::steady_clock::now(); };
};

/// Runs the pipeline for one message. Never throws. Thread-safe (no state besides the
/// collaborators' and metrics).
///
/// A visitor message: first asks `rate` (the bot's reply rate, BOT_REPLIES_PER_MIN); over it,
/// neither the quota nor the model is used; the visitor gets the "busy" notice once per
/// conversation and window and nothing for later messages of that window (their messages stay
/// stored; operators see them). Otherwise it always leaves a bot message: the reply (with the
/// sources it cites), the "quota exhausted" notice, the "model busy" notice when ai-proxy answers
/// RESOURCE_EXHAUSTED (the provider's rate limit or quota), or an apology for any other failure.
/// When ConsumeQuota says the tenant's model-token allowance is used up, ai-proxy is asked with
/// tokens_exhausted (it answers with extractive). A reply with token usage is recorded with
/// TokenMeter after it is posted; a failure there (UNIMPLEMENTED included) is logged and
/// counted, never changes the reply.
///
/// A model reply in a widget conversation (VisitorMessage::channel "web") is cancelled when its
/// visitor is gone (set_visitor_presence: nobody present for VISITOR_GONE_GRACE_MS, checked at
/// each received delta at most every VISITOR_PRESENCE_CHECK_MS): the ai-proxy call is cancelled,
/// the bot's typing stop published, nothing posted (outcome kCancelled), and an estimate of the
/// tokens spent recorded with TokenMeter (estimate_cancelled_usage). Channel conversations
/// (telegram, whatsapp, instagram) are never cancelled this way.
///
/// An /ai command (ai_command.hpp) of any participant runs the same steps, answering the
/// question with the participant's own earlier messages as history; a bare "/ai" gets the
/// usage hint (no rate, quota or model). Every bot message is in the bot's language and posted
/// with client_id "bot-reply-<message id>" ("bot-ai-<message id>" for a command), so a repeated
/// run posts nothing new.
class BotPipeline {
 public:
  BotPipeline(BotDirectory& bots, QuotaGate& quota, ReplyGenerator& generator, ChatOps& chat,
              ReplyRateGate& rate, TokenMeter& meter, metrics::Registry& registry,
              PipelineSettings settings = {});

  /// The outcome of one run, for metrics and tests. kBusy: the bot's reply-rate notice was
  /// posted; kSkipped: nothing posted (over the rate, or an operator message that is not a
  /// command); kProviderBusy: the model provider's busy notice; kAiUsage: the /ai usage hint;
  /// kHumanHandles: nothing posted, an operator has taken the conversation over (checked before
  /// the rate, the quota and the model; /ai commands are still answered).
  enum class Outcome {
    kReplied,
    kQuotaExhausted,
    kApologized,
    kNotPosted,
    kBusy,
    kSkipped,
    kProviderBusy,
    kAiUsage,
    kHumanHandles,
    kCancelled  // the widget visitor left: the model call was cancelled, nothing posted
  };

  Outcome run(const VisitorMessage& message);

  /// Where each Generate's outcome is recorded (the bot's model status); nullptr = nowhere.
  /// Set before the first run(); `sink` must outlive the pipeline.
  void set_outcome_sink(ModelOutcomeSink* sink) { outcome_sink_ = sink; }
  /// Where widget visitors' presence is read to cancel replies nobody is left to read; nullptr =
  /// never cancel. Set before the first run(); `probe` must outlive the pipeline.
  void set_visitor_presence(VisitorPresenceProbe* probe, VisitorWatchSettings settings) {
    presence_ = probe;
    watch_settings_ = settings;
  }

 private:
  struct Draft;
  /// Rate, registry, quota and model for a message that needs an answer; fills `draft`.
  void answer(const VisitorMessage& message, const std::optional<std::string>& command,
              ReplyRateGate::Verdict verdict, Draft& draft);
  /// Asks ai-proxy, publishing coalesced deltas; fills `draft` with the reply.
  void generate(const VisitorMessage& message, const std::optional<std::string>& command,
                const QuotaGrant& grant, Draft& draft);
  /// RecordTokenUsage for a posted reply; never throws.
  void record_usage(const TokenUsageRecord& usage);
  /// ChatOps::human_handles; false (the bot answers) when it cannot be read.
  bool human_handles(const VisitorMessage& message);
  void count(Outcome outcome);
  metrics::Counter& fallback_counter(const std::string& reason);

  BotDirectory& bots_;
  QuotaGate& quota_;
  ReplyGenerator& generator_;
  ChatOps& chat_;
  ReplyRateGate& rate_;
  TokenMeter& meter_;
  ModelOutcomeSink* outcome_sink_ = nullptr;
  VisitorPresenceProbe* presence_ = nullptr;
  VisitorWatchSettings watch_settings_;
  PipelineSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<Outcome, metrics::Counter*> outcomes_;
  std::map<std::string, metrics::Counter*> fallbacks_;  // by fallback_reason; "other" for the rest
  metrics::Counter& ai_commands_;
  metrics::Counter& tokens_exhausted_;
  metrics::Counter& deltas_received_;
  metrics::Counter& deltas_published_;
  metrics::Counter& usage_recorded_;
  metrics::Counter& usage_duplicate_;
  metrics::Counter& usage_unimplemented_;
  metrics::Counter& usage_failed_;
  metrics::Counter& cancelled_;
};

/// The token usage recorded for a reply cancelled mid-stream (the provider's own count comes only
/// with the final reply, which a cancelled call never gets): about 4 UTF-8 bytes per token, prompt
/// = instructions + history + question (a lower bound: ai-proxy adds its system prompt and the
/// knowledge passages), completion = the bytes streamed so far, each rounded up. nullopt when no
/// model tokens were spent (provider "extractive" or empty, or tokens_exhausted: ai-proxy answers
/// with extractive then).
std::optional<TokenUsageRecord> estimate_cancelled_usage(const GenerateInput& input,
                                                         std::size_t streamed_bytes);

}  // namespace botfactory::channel
