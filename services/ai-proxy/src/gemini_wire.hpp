#pragma once
// Gemini API generateContent, streamed (POST {base}/v1beta/models/{model}:streamGenerateContent
// ?alt=sse; https://ai.google.dev/api/generate-content).

#include "chat_wire.hpp"

namespace botfactory::ai {

/// Request: {"systemInstruction":{"parts":[{"text"}]},"contents":[{"role":"user"|"model",
/// "parts":[{"text"}]}…],"generationConfig":{"temperature","maxOutputTokens"}} with
/// `x-goog-api-key: <key>` (never in the URL). Events: GenerateContentResponse objects:
/// candidates[0].content.parts[].text is the text, candidates[0].finishReason the end reason
/// (SAFETY, PROHIBITED_CONTENT, BLOCKLIST, SPII, RECITATION = blocked),
/// promptFeedback.blockReason a refused prompt (blocked), usageMetadata {promptTokenCount,
/// candidatesTokenCount}. There is no end marker: the stream ends after the finishReason.
class GeminiWire final : public ChatWire {
 public:
  /// `base_url` without the /v1beta path, e.g. "https://generativelanguage.googleapis.com".
  explicit GeminiWire(std::string base_url);
  std::string name() const override { return "gemini"; }
  /// Throws INVALID_ARGUMENT unless `model` is 1..100 of [A-Za-z0-9._-] (it goes into the path).
  http::Request request(const Prompt& prompt, const std::string& model, double temperature,
                        int max_output_tokens, const std::string& api_key) const override;
  WireEvent parse_event(std::string_view data) const override;
  std::shared_ptr<const ChatWire> with_base_url(std::string base_url) const override {
    return std::make_shared<GeminiWire>(std::move(base_url));
  }
  bool has_unary() const override { return true; }
  /// models/{model}:generateContent (https://ai.google.dev/api/generate-content), the same body;
  /// the reply is one GenerateContentResponse.
  http::Request request_unary(const Prompt& prompt, const std::string& model, double temperature,
                              int max_output_tokens, const std::string& api_key) const override;

 private:
  std::string base_url_;
};

}  // namespace botfactory::ai
