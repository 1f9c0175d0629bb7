#pragma once
// A provider backed by a chat-model HTTP API (OpenAI-compatible or Gemini): the prompt, one
// asynchronous reply stream through the shared HTTP client's push interface (retries before the
// first token, a circuit breaker per provider and key), and a blocking generate() on top of it.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "botfactory/http_client/http_client.hpp"
#include "chat_wire.hpp"
#include "knowledge_search.hpp"
#include "model_retry.hpp"
#include "provider.hpp"
#include "provider_breakers.hpp"

namespace botfactory::ai {

/// Settings of one chat-model provider (README "Configuration": OPENAI_* / GEMINI_* / LLM_*).
struct ChatModelSettings {
  std::string default_model;                         // when the bot names none
  std::string api_key;                               // default key ("" = only per-request keys)
  std::chrono::milliseconds connect_timeout{5000};   // TCP + TLS
  std::chrono::milliseconds first_token_timeout{15000};  // until the first byte of the stream
  std::chrono::milliseconds total_timeout{25000};    // the whole reply, retries included
  int max_output_tokens = 1024;
  int top_k = 4;                                     // knowledge chunks in the prompt
  std::size_t max_reply_bytes = 32 << 10;            // reply text kept; the stream stops there
  bool stream = true;  // false: the API's non-streaming call when it has one (Gemini generateContent)
  /// LLM_TENANT_PRIVATE_ADDRESSES: a tenant's own base URL (ModelCall::base_url) may reach
  /// private / loopback / link-local addresses (a self-hosted model on the operator's network).
  /// Off: such a request fails before connecting (http::Request::allow_private_addresses).
  /// The configured base URL (OPENAI_BASE_URL / GEMINI_BASE_URL) may always reach any address.
  bool tenant_private_addresses = false;
  RetrySettings retry;
};

/// Everything one model request needs, prepared off the event thread.
struct ModelCall {
  Prompt prompt;
  std::string model;              // "" = settings.default_model
  double temperature = 0.3;
  int max_output_tokens = 0;      // 0 = settings.max_output_tokens
  std::string api_key;            // "" = settings.api_key (may stay empty: keyless server)
  std::string base_url;           // "" = the provider's configured base URL
  std::string language = "en";    // of the safety refusal
  std::vector<KnowledgeHit> hits;  // the numbered passages of the prompt (sources)
  /// The served call's deadline (max = none): the reply, retries included, never outlasts it.
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
};

/// Why a model request failed. `fallback_reason` as ai.v1.FinalReply.fallback_reason.
struct ModelFailure {
  grpc::StatusCode code = grpc::StatusCode::UNAVAILABLE;
  std::string message;
  std::string fallback_reason;  // provider_unavailable | provider_rate_limited | provider_refused | circuit_open
  int retry_after_s = 0;        // RESOURCE_EXHAUSTED: seconds the caller should wait
  bool after_text = false;      // reply text had already been delivered
};

/// Receives one reply stream's events, on the HTTP client's event thread (never blocking):
/// on_text zero or more times, then exactly one of on_reply / on_failure.
class ReplyObserver {
 public:
  virtual ~ReplyObserver() = default;
  virtual void on_text(std::string_view text) = 0;
  virtual void on_reply(FinalReply reply) = 0;
  virtual void on_failure(const ModelFailure& failure) = 0;
};

/// A running reply stream. cancel() (any thread, idempotent) cancels the outbound HTTP request
/// at once (also one waiting for its retry); on_failure(CANCELLED) follows.
class ReplyStream {
 public:
  virtual ~ReplyStream() = default;
  virtual void cancel() = 0;
};

/// Answers with a language model. stream(): sends the prompt, delivers the API's text as events
/// arrive, and ends with the reply (text, model, usage; sources = passages 1 up to the highest
/// one cited as [n], so that [n] is sources[n-1], or all when none is cited; answered =
/// passages were given and nothing was blocked). A safety
/// block (Gemini promptFeedback / SAFETY finish, OpenAI content_filter) ends the reply with a
/// short refusal in the bot's language. Keys are never logged.
/// Failures (ModelFailure.code / rpc::StatusError in generate()): RESOURCE_EXHAUSTED with a
/// retry hint for HTTP 429 (Retry-After's seconds, 30 when absent); FAILED_PRECONDITION for
/// 400/401/403/404 (bad key, unknown model); UNAVAILABLE for 5xx, a connection failure, a
/// stream cut before its end, malformed events, or an open circuit breaker; DEADLINE_EXCEEDED
/// for the connect / first-token / total timeouts; CANCELLED when the caller went away;
/// FAILED_PRECONDITION (provider_refused, no retry, breaker untouched) when a tenant's base URL
/// resolves to a private address the settings forbid (server-side request forgery).
/// Retries (model_retry.hpp) only before any text was delivered.
class ChatModelProvider : public Provider {
 public:
  /// `breakers` may be null (no circuit breaker).
  ChatModelProvider(std::shared_ptr<const ChatWire> wire, std::shared_ptr<http::Client> client,
                    std::shared_ptr<KnowledgeSearch> search, ChatModelSettings settings,
                    std::shared_ptr<ProviderBreakers> breakers = nullptr);
  std::string name() const override { return wire_->name(); }
  /// True when a key is available (per request or the default).
  bool can_answer(const GenerateInput& input) const override;
  /// Blocking: retrieves top_k chunks, builds the prompt, runs stream() and waits, delivering the
  /// text through `on_delta` on this thread. Errors as rpc::StatusError (above), or
  /// common::CallAbandoned when the served call's deadline passed or it was cancelled.
  void generate(const GenerateInput& input, const DeltaSink& on_delta, FinalReply& out) override;

  /// Starts the reply stream for `call` (non-blocking; `observer` is called on the event thread).
  std::shared_ptr<ReplyStream> stream(ModelCall call, std::shared_ptr<ReplyObserver> observer);

  const ChatModelSettings& settings() const { return settings_; }

  /// The short refusal after a safety block, in `language` (en for anything but ru/uz).
  static const char* blocked_text(const std::string& language);

 private:
  friend class ModelStream;
  std::shared_ptr<const ChatWire> wire_;
  std::shared_ptr<http::Client> client_;
  std::shared_ptr<KnowledgeSearch> search_;
  ChatModelSettings settings_;
  std::shared_ptr<ProviderBreakers> breakers_;
};

/// Throws the rpc::StatusError of `failure` (RESOURCE_EXHAUSTED with its retry hint).
[[noreturn]] void throw_model_failure(const ModelFailure& failure);

}  // namespace botfactory::ai
