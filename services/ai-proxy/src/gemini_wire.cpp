#include "gemini_wire.hpp"

#include <boost/json.hpp>

#include "botfactory/rpc/status.hpp"

namespace botfactory::ai {
namespace json = boost::json;
namespace {

bool model_name_ok(const std::string& model) {
  if (model.empty() || model.size() > 100) return false;
  for (char c : model) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool blocking_finish(const std::string& reason) {
  return reason == "SAFETY" || reason == "PROHIBITED_CONTENT" || reason == "BLOCKLIST" || reason == "SPII" ||
         reason == "RECITATION" || reason == "IMAGE_SAFETY";
}

std::int64_t int_field(const json::object& object, const char* name) {
  const auto* v = object.if_contains(name);
  return v && v->is_number() ? v->to_number<std::int64_t>() : 0;
}

}  // namespace

GeminiWire::GeminiWire(std::string base_url) : base_url_(std::move(base_url)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

http::Request GeminiWire::request(const Prompt& prompt, const std::string& model, double temperature,
                                  int max_output_tokens, const std::string& api_key) const {
  if (!model_name_ok(model)) rpc::throw_invalid("model must be 1-100 characters of A-Z a-z 0-9 . _ -");
  json::array contents;
  for (const auto& m : prompt.messages) {
    contents.push_back(json::object{{"role", m.role == PromptRole::kUser ? "user" : "model"},
                                    {"parts", json::array{json::object{{"text", m.text}}}}});
  }
  json::object body{
      {"systemInstruction", json::object{{"parts", json::array{json::object{{"text", prompt.system}}}}}},
      {"contents", std::move(contents)},
      {"generationConfig", json::object{{"temperature", temperature}, {"maxOutputTokens", max_output_tokens}}}};
  http::Request request;
  request.method = "POST";
  request.url = base_url_ + "/v1beta/models/" + model + ":streamGenerateContent?alt=sse";
  request.headers = {"Content-Type: application/json", "Accept: text/event-stream", "x-goog-api-key: " + api_key};
  request.body = json::serialize(body);
  return request;
}

http::Request GeminiWire::request_unary(const Prompt& prompt, const std::string& model, double temperature,
                                        int max_output_tokens, const std::string& api_key) const {
  auto request = this->request(prompt, model, temperature, max_output_tokens, api_key);
  request.url = base_url_ + "/v1beta/models/" + model + ":generateContent";
  request.headers = {"Content-Type: application/json", "Accept: application/json", "x-goog-api-key: " + api_key};
  return request;
}

WireEvent GeminiWire::parse_event(std::string_view data) const {
  WireEvent event;
  auto value = json::parse(data);
  const auto& object = value.as_object();
  if (auto error = stream_error(object)) {
    event.error = std::move(*error);
    return event;
  }
  if (const auto* feedback = object.if_contains("promptFeedback"); feedback && feedback->is_object()) {
    if (const auto* reason = feedback->as_object().if_contains("blockReason"); reason && reason->is_string()) {
      event.blocked = true;
      event.finish_reason = std::string(reason->as_string());
    }
  }
  if (const auto* candidates = object.if_contains("candidates");
      candidates && candidates->is_array() && !candidates->as_array().empty()) {
    const auto& candidate = candidates->as_array().front().as_object();
    if (const auto* content = candidate.if_contains("content"); content && content->is_object()) {
      if (const auto* parts = content->as_object().if_contains("parts"); parts && parts->is_array()) {
        for (const auto& part : parts->as_array()) {
          if (!part.is_object()) continue;
          const auto* text = part.as_object().if_contains("text");
          // Thought summaries (thinking models) are not part of the reply.
          const auto* thought = part.as_object().if_contains("thought");
          if (text && text->is_string() && !(thought && thought->is_bool() && thought->as_bool())) {
            event.text += std::string(text->as_string());
          }
        }
      }
    }
    if (const auto* finish = candidate.if_contains("finishReason"); finish && finish->is_string()) {
      event.finish_reason = std::string(finish->as_string());
      if (blocking_finish(event.finish_reason)) event.blocked = true;
    }
  }
  if (const auto* usage = object.if_contains("usageMetadata"); usage && usage->is_object()) {
    TokenUsage tokens;
    tokens.prompt_tokens = int_field(usage->as_object(), "promptTokenCount");
    tokens.completion_tokens = int_field(usage->as_object(), "candidatesTokenCount") +
                               int_field(usage->as_object(), "thoughtsTokenCount");
    event.usage = tokens;
  }
  return event;
}

}  // namespace botfactory::ai
