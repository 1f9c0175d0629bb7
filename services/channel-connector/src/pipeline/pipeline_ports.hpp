#pragma once
// The small interfaces the bot pipeline depends on, so unit tests can fake every collaborator:
// bot-registry (BotDirectory), subscription (QuotaGate, TokenMeter), ai-proxy (ReplyGenerator)
// and the chat store itself (ChatOps). Failures are thrown as rpc::StatusError carrying the gRPC
// code.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "botfactory/common/v1/common.pb.h"

namespace botfactory::channel {

/// What the pipeline needs to know about a bot (registry.v1.Bot).
struct BotProfile {
  std::string id;
  std::string tenant_id;
  std::string name;
  std::string language;  // "en", "ru", "uz"
  std::string greeting;
  std::string instructions;
  std::string provider;  // "extractive", "gemini", "openai"
  std::string model;
  double temperature = 0.0;
};

/// Reads bots from bot-registry.
class BotDirectory {
 public:
  virtual ~BotDirectory() = default;
  /// The bot `bot_id` of `tenant_id`. Throws rpc::StatusError: NOT_FOUND when unknown or of
  /// another tenant, UNAVAILABLE when the registry cannot answer.
  virtual BotProfile get_bot(const std::string& tenant_id, const std::string& bot_id) = 0;
};

/// The answer of ConsumeQuota for one bot reply (billing.v1 ConsumeQuotaResponse).
struct QuotaGrant {
  /// False when the plan's reply quota is exhausted (nothing consumed).
  bool granted = false;
  /// The period's model tokens so far and the plan's monthly allowance (0 = none known).
  std::int64_t tokens_used = 0;
  std::int64_t tokens_limit = 0;
  /// The allowance is used up: tokens_limit > 0 and tokens_used >= tokens_limit.
  bool tokens_exhausted() const { return tokens_limit > 0 && tokens_used >= tokens_limit; }
};

/// Meters bot replies in subscription.
class QuotaGate {
 public:
  virtual ~QuotaGate() = default;
  /// Consumes one RESOURCE_BOT_REPLIES unit of `tenant_id`; granted = false when the plan's
  /// quota is exhausted (nothing consumed). Throws rpc::StatusError for other failures.
  virtual QuotaGrant consume_bot_reply(const std::string& tenant_id) = 0;
};

/// The model tokens of one generated reply, for billing.v1 RecordTokenUsage.
struct TokenUsageRecord {
  std::string tenant_id;
  std::string bot_id;
  std::string reply_id;  // idempotency key: the bot message's client_id
  std::string provider;  // the provider that answered ("openai", "gemini")
  std::string model;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

/// Records model-token usage in subscription.
class TokenMeter {
 public:
  virtual ~TokenMeter() = default;
  /// Records `usage` (idempotent on reply_id); returns true when it had been recorded before.
  /// Throws rpc::StatusError with the call's code (UNIMPLEMENTED while subscription does not
  /// serve RecordTokenUsage, UNAVAILABLE, ...).
  virtual bool record_token_usage(const TokenUsageRecord& usage) = 0;
};

/// The per-bot reply rate (BOT_REPLIES_PER_MIN), counted across replicas.
class ReplyRateGate {
 public:
  /// What the pipeline does with one visitor message.
  enum class Verdict {
    kAllowed,     // generate the reply
    kBusyNotice,  // over the rate: post the "busy" notice instead (first time in this window)
    kSilent,      // over the rate and the notice was already posted in this window: post nothing
  };
  virtual ~ReplyRateGate() = default;
  /// Counts one reply of `bot_id` for `conversation_id`. Never throws (fails open).
  virtual Verdict admit_reply(const std::string& bot_id, const std::string& conversation_id) = 0;
};

/// One earlier message of the conversation, as ai-proxy history.
struct Turn {
  common::v1::SenderKind sender = common::v1::SENDER_KIND_UNSPECIFIED;
  std::string text;
};

/// Everything ai-proxy Generate needs for one reply.
struct GenerateInput {
  std::string tenant_id;
  std::string bot_id;
  std::string conversation_id;
  std::string language;
  std::string instructions;
  std::string provider;
  std::string model;
  double temperature = 0.0;
  std::vector<Turn> history;  // oldest first
  std::string user_text;
  /// The tenant's monthly model-token allowance is used up (ai-proxy answers with extractive).
  bool tokens_exhausted = false;
};

/// A knowledge-base passage a reply is based on (chat.v1 MessageSource; cited as [n] in the
/// reply text, n = index + 1).
struct ReplySource {
  std::string document_id;
  std::string document_title;
  std::string chunk_id;
};

/// The final reply of ai-proxy (ai.v1 FinalReply).
struct GeneratedReply {
  std::string text;
  std::vector<ReplySource> sources;
  std::string provider;         // the provider that answered ("extractive" after a fallback)
  std::string model;            // "" for extractive
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::string fallback_reason;  // "" when the configured provider answered
  bool answered = true;         // false: the knowledge base had nothing relevant ("I don't know")
};

/// Generates replies through ai-proxy.
class ReplyGenerator {
 public:
  virtual ~ReplyGenerator() = default;
  /// Streams one reply: calls `on_delta` for each piece as it arrives and returns the final
  /// reply. Throws rpc::StatusError when the call fails or ends without a final reply; the
  /// provider's rate limit / quota (RESOURCE_EXHAUSTED) keeps its code, other failures are
  /// UNAVAILABLE.
  virtual GeneratedReply generate(const GenerateInput& input,
                                  const std::function<void(std::string_view delta)>& on_delta) = 0;
};

/// Where the pipeline records the model outcome of each generated reply (chat.bot_model_status),
/// so the tenant sees whether the bot's provider is answering.
class ModelOutcomeSink {
 public:
  virtual ~ModelOutcomeSink() = default;
  /// One Generate of `bot_id` ended: `fallback_reason` "" = the configured provider answered;
  /// else ai.v1 FinalReply.fallback_reason, or the reason a failed Generate stands for
  /// ("provider_rate_limited", "provider_refused", "provider_unavailable") with its
  /// `error_message`. Never throws (failures are logged and counted).
  virtual void record_model_outcome(const std::string& tenant_id, const std::string& bot_id,
                                    const std::string& fallback_reason,
                                    const std::optional<std::string>& error_message) = 0;
};

/// A bot message to commit and publish like any other message.
struct BotMessage {
  std::string conversation_id;
  std::string client_id;  // idempotency key, e.g. "bot-reply-<visitor message id>"
  std::string bot_id;
  std::string bot_name;
  std::string text;
  /// The passages the reply cites (bounded and stored by ChatService, see message_sources.hpp).
  std::vector<ReplySource> sources;
  /// A model reply: whether it answered (chat.messages.answered); unset for notices/apologies.
  std::optional<bool> answered;
  /// The bot's language ("en", "ru", "uz"; "" = unknown): kept on the channel outbox row so the
  /// sources heading goes out in it.
  std::string language;
};

/// What the pipeline does to the conversation (implemented by ChatService).
class ChatOps {
 public:
  virtual ~ChatOps() = default;
  /// Up to `max_turns` messages with seq < `before_seq`, oldest first.
  virtual std::vector<Turn> recent_turns(const std::string& conversation_id, std::int64_t before_seq,
                                         int max_turns) = 0;
  /// Up to `max_turns` messages of one participant (sender kind and id) with seq < `before_seq`,
  /// oldest first (the context of an /ai command).
  virtual std::vector<Turn> participant_turns(const std::string& conversation_id,
                                              std::int64_t before_seq,
                                              common::v1::SenderKind sender_kind,
                                              const std::string& sender_id, int max_turns) = 0;
  /// True when an operator has taken the conversation over (the bot then answers only /ai
  /// commands). Throws on storage failures.
  virtual bool human_handles(const std::string& conversation_id) = 0;
  /// Commits and publishes `message` (sender kind BOT); returns its seq. Idempotent on
  /// client_id. Throws like PostMessage.
  virtual std::int64_t post_bot_message(const BotMessage& message) = 0;
  /// Publishes an ephemeral `typing` start of the bot (chatwire::encode_typing, sender kind
  /// bot) when a model reply starts; failures are counted, never thrown.
  virtual void publish_typing(const std::string& conversation_id, const std::string& bot_id,
                              const std::string& bot_name) = 0;
  /// Publishes the bot's `typing` stop when a model reply ends without a message (cancelled
  /// because its visitor is gone); failures are counted, never thrown.
  virtual void publish_typing_stop(const std::string& conversation_id, const std::string& bot_id,
                                   const std::string& bot_name) = 0;
  /// Publishes an ephemeral `message.delta` event; failures are counted, never thrown.
  virtual void publish_delta(const std::string& conversation_id, std::int64_t reply_to_seq,
                             std::string_view delta) = 0;
};

/// A committed message the bot should answer: any visitor message, or an /ai command of any
/// participant (ai_command.hpp).
struct VisitorMessage {
  std::string tenant_id;
  std::string bot_id;
  std::string conversation_id;
  std::string message_id;
  std::int64_t seq = 0;
  std::string text;
  common::v1::SenderKind sender_kind = common::v1::SENDER_KIND_VISITOR;
  std::string sender_id;
  /// The conversation's channel ("web" = the widget; "telegram", …); "" = not known. Only a
  /// "web" reply is cancelled when its visitor is gone (visitor_watch.hpp).
  std::string channel;
};

/// Told about every newly committed (not duplicate) visitor message and every new /ai command
/// of an operator. Must not block.
class VisitorMessageListener {
 public:
  virtual ~VisitorMessageListener() = default;
  virtual void on_visitor_message(const VisitorMessage& message) = 0;
};

/// Told that a committed message was queued in chat.channel_outbox (a channel conversation's
/// bot or operator message). Must not block.
class OutboundListener {
 public:
  virtual ~OutboundListener() = default;
  virtual void on_outbound(const std::string& conversation_id) = 0;
};

}  // namespace botfactory::channel
