#pragma once
// A provider backed by a chat-model HTTP API (OpenAI-compatible or Gemini): retrieval, the
// prompt, one streamed request through the shared async HTTP client, the reply.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "botfactory/http_client/http_client.hpp"
#include "chat_wire.hpp"
#include "knowledge_search.hpp"
#include "provider.hpp"

namespace botfactory::ai {

/// Settings of one chat-model provider (README "Configuration": OPENAI_* / GEMINI_* / LLM_*).
struct ChatModelSettings {
  std::string default_model;                         // when the bot names none
  std::string api_key;                               // from the environment; "" = only per-request keys
  std::chrono::milliseconds connect_timeout{5000};   // TCP + TLS
  std::chrono::milliseconds first_token_timeout{15000};  // until the first byte of the stream
  std::chrono::milliseconds total_timeout{25000};    // the whole reply
  int max_output_tokens = 1024;
  int top_k = 4;                                     // knowledge chunks in the prompt
  std::size_t max_reply_bytes = 32 << 10;            // reply text kept; the stream stops there
};

/// Answers with a language model: retrieves the top_k chunks for the question, builds the
/// prompt (prompt_builder.hpp), streams the API's reply through `on_delta` as events arrive,
/// and fills `out` (text, model, usage; sources = the chunks cited as [n], or all retrieved
/// ones when none is cited; answered = something was retrieved and nothing was blocked). A
/// safety block (Gemini promptFeedback / SAFETY finish, OpenAI content_filter) ends the reply
/// with a short refusal in the bot's language. The key is input.api_key, else settings.api_key;
/// it is never logged. Errors (rpc::StatusError): RESOURCE_EXHAUSTED with a retry hint
/// (rpc/retry_after.hpp: Retry-After's seconds, 30 when absent) for HTTP 429;
/// FAILED_PRECONDITION for 400/401/403/404 (bad key, unknown model); UNAVAILABLE for 5xx, a
/// connection failure, a stream cut before its end, or malformed events; DEADLINE_EXCEEDED for
/// the connect / first-token / total timeouts (the total never past the served gRPC call's
/// deadline, common::current_call_deadline); CANCELLED when the caller went away
/// (input.is_cancelled or the sink returned false: the HTTP request is cancelled at once);
/// common::CallAbandoned when the served call's deadline passed or it was cancelled.
class ChatModelProvider : public Provider {
 public:
  ChatModelProvider(std::shared_ptr<const ChatWire> wire, std::shared_ptr<http::Client> client,
                    std::shared_ptr<KnowledgeSearch> search, ChatModelSettings settings);
  std::string name() const override { return wire_->name(); }
  /// True when a key is available (per request or from the environment).
  bool can_answer(const GenerateInput& input) const override;
  void generate(const GenerateInput& input, const DeltaSink& on_delta, FinalReply& out) override;

  /// The short refusal after a safety block, in `language` (en for anything but ru/uz).
  static const char* blocked_text(const std::string& language);

 private:
  std::shared_ptr<const ChatWire> wire_;
  std::shared_ptr<http::Client> client_;
  std::shared_ptr<KnowledgeSearch> search_;
  ChatModelSettings settings_;
};

}  // namespace botfactory::ai
