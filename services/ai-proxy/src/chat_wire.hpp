#pragma once
// The wire format of one chat-model API (request body, streamed events), so that one streaming
// loop (ChatModelProvider) serves OpenAI-compatible servers and Gemini.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "botfactory/http_client/http_client.hpp"

namespace boost::json {
class object;
}
#include "prompt_builder.hpp"
#include "provider.hpp"

namespace botfactory::ai {

/// What one server-sent event of a model's stream said.
struct WireEvent {
  std::string text;           // reply text carried by this event ("" when none)
  bool done = false;          // an explicit end-of-stream marker (OpenAI `data: [DONE]`)
  std::string finish_reason;  // as the API spells it ("stop", "STOP", "length", "SAFETY", …)
  bool blocked = false;       // the provider's safety filter refused the prompt or the reply
  std::optional<TokenUsage> usage;
  std::string error;          // an error object inside the stream ("" when none)
};

/// One API's request and event formats. Implementations are immutable and thread-safe.
class ChatWire {
 public:
  virtual ~ChatWire() = default;
  /// The provider name bots use ("openai", "gemini").
  virtual std::string name() const = 0;
  /// The streaming HTTP request (URL, headers with `api_key`, JSON body) for `prompt`; the
  /// caller sets the timeouts. `temperature` 0..2; `max_output_tokens` > 0. Throws
  /// rpc::StatusError INVALID_ARGUMENT when `model` cannot be used in this API's URL.
  virtual http::Request request(const Prompt& prompt, const std::string& model, double temperature,
                                int max_output_tokens, const std::string& api_key) const = 0;
  /// Parses the data of one event. Throws std::exception for data that is not this API's JSON.
  virtual WireEvent parse_event(std::string_view data) const = 0;
  /// The same wire at another API root (a tenant's own server; base URL rules as the
  /// constructor's).
  virtual std::shared_ptr<const ChatWire> with_base_url(std::string base_url) const = 0;
  /// True when the API has a non-streaming call (request_unary()).
  virtual bool has_unary() const { return false; }
  /// The non-streaming HTTP request (one JSON reply that parse_event() reads whole); only when
  /// has_unary(). Same arguments and errors as request().
  virtual http::Request request_unary(const Prompt& prompt, const std::string& model, double temperature,
                                      int max_output_tokens, const std::string& api_key) const {
    return request(prompt, model, temperature, max_output_tokens, api_key);
  }
};

/// The `error.message` of an API error body (OpenAI and Gemini both use {"error":{"message"}}),
/// at most 200 bytes; "" when the body is not such JSON.
std::string api_error_message(std::string_view body);

/// The error an event of a stream carries in its `error` member (both APIs), as its `message`
/// (at most 200 bytes) or "error in stream" when it has none; std::nullopt without an error.
std::optional<std::string> stream_error(const boost::json::object& event);

}  // namespace botfactory::ai
