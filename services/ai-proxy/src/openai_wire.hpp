#pragma once
// OpenAI-compatible Chat Completions, streamed (POST {base}/v1/chat/completions, stream: true;
// https://platform.openai.com/docs/api-reference/chat/create and .../chat-streaming). Also
// spoken by llama.cpp server, vLLM, Ollama's /v1 and routers.

#include "chat_wire.hpp"

namespace botfactory::ai {

/// Request: {"model","messages":[system, user/assistant…],"stream":true,
/// "stream_options":{"include_usage":true},"temperature","max_tokens"} with
/// `Authorization: Bearer <key>`. Events: `chat.completion.chunk` objects whose
/// choices[0].delta.content is the text and choices[0].finish_reason the end reason
/// ("content_filter" = blocked); the last chunk before `data: [DONE]` has empty choices and
/// `usage` {prompt_tokens, completion_tokens}; an {"error":{…}} object is an error.
class OpenAiWire final : public ChatWire {
 public:
  /// `base_url` without the /v1 path, e.g. "https://api.openai.com" (a trailing '/' is dropped).
  explicit OpenAiWire(std::string base_url);
  std::string name() const override { return "openai"; }
  http::Request request(const Prompt& prompt, const std::string& model, double temperature,
                        int max_output_tokens, const std::string& api_key) const override;
  WireEvent parse_event(std::string_view data) const override;
  std::shared_ptr<const ChatWire> with_base_url(std::string base_url) const override {
    return std::make_shared<OpenAiWire>(std::move(base_url));
  }

 private:
  std::string base_url_;
};

}  // namespace botfactory::ai
