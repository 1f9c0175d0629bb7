#pragma once
// One interface for every answer generator (extractive, and the Gemini and OpenAI-compatible
// HTTP providers of chat_model_provider.hpp) and the table that picks one by name.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::ai {

/// Who wrote an earlier turn of the conversation (common.v1.SenderKind).
enum class Sender { kVisitor, kBot, kOperator };

/// One earlier message, oldest first in GenerateInput::history.
struct ChatTurn {
  Sender sender = Sender::kVisitor;
  std::string text;
};

/// What a provider answers (ai.v1.GenerateRequest without the transport).
struct GenerateInput {
  std::string tenant_id;
  std::string bot_id;
  std::string conversation_id;
  std::string language = "en";  // "en", "ru" or "uz"
  std::string instructions;     // the bot's system prompt
  std::string provider;         // requested provider name
  std::string model;            // empty = provider default
  double temperature = 0.3;     // 0..2
  std::vector<ChatTurn> history;
  std::string user_text;
  /// The provider key for this request (per bot or tenant, decrypted by the caller); empty =
  /// the provider's key from the environment. Never logged.
  std::string api_key;
  /// True once the caller is gone (gRPC context cancelled); HTTP providers poll it while they
  /// wait for the model and then cancel the outbound request. Empty = never.
  std::function<bool()> is_cancelled;
};

/// Tokens a model reported for one reply (0 when it did not say).
struct TokenUsage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

/// A knowledge-base chunk the reply is based on.
struct SourceRef {
  std::string document_id;
  std::string document_title;
  std::string chunk_id;
  double score = 0.0;
};

/// The complete reply (ai.v1.FinalReply).
struct FinalReply {
  std::string text;
  std::vector<SourceRef> sources;
  std::string provider;   // the provider that actually answered
  bool answered = false;  // false when the knowledge base had nothing relevant
  std::string model;      // the model that answered ("" for extractive)
  TokenUsage usage;
};

/// Receives the next piece of reply text; returns false when the consumer is gone (the caller
/// cancelled), after which the provider should stop as soon as it can.
using DeltaSink = std::function<bool(std::string_view delta)>;

/// An answer generator. Implementations are shared by all gRPC threads: generate() must be
/// thread-safe. Failures are rpc::StatusError: NOT_FOUND (bot unknown), UNAVAILABLE (a
/// dependency such as the registry or the provider's API cannot be reached).
class Provider {
 public:
  virtual ~Provider() = default;
  /// The name bots use in ProviderSettings.provider ("extractive", "gemini", "openai").
  virtual std::string name() const = 0;
  /// False when this provider cannot answer `input` (an HTTP provider without a key); the
  /// registry then uses the fallback.
  virtual bool can_answer(const GenerateInput& input) const { return true; }
  /// Streams the reply through `on_delta` (zero or more pieces whose concatenation is the final
  /// text, unless the sink returned false) and fills `out`. A streaming HTTP provider calls
  /// `on_delta` as tokens arrive.
  virtual void generate(const GenerateInput& input, const DeltaSink& on_delta, FinalReply& out) = 0;
};

/// Providers by name. Fill it at start-up (add()), then only resolve() (thread-safe).
class ProviderRegistry {
 public:
  /// `fallback` answers every name that has no provider of its own (the extractive one).
  explicit ProviderRegistry(std::shared_ptr<Provider> fallback);
  /// Registers a configured provider under its name(); replaces one of the same name.
  void add(std::shared_ptr<Provider> provider);
  /// The provider for `name`; unknown or unconfigured names (and "") get the fallback, logged
  /// once per name.
  Provider& resolve(const std::string& name);
  /// The provider for input.provider when it can_answer(input) (has a key), else the fallback.
  Provider& resolve(const GenerateInput& input);

 private:
  std::shared_ptr<Provider> fallback_;
  std::map<std::string, std::shared_ptr<Provider>, std::less<>> providers_;
  std::mutex logged_mutex_;
  std::set<std::string> logged_;  // guarded by logged_mutex_
};

}  // namespace botfactory::ai
