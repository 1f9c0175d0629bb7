#include "openai_wire.hpp"

#include <boost/json.hpp>

namespace botfactory::ai {
namespace json = boost::json;

OpenAiWire::OpenAiWire(std::string base_url) : base_url_(std::move(base_url)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

http::Request OpenAiWire::request(const Prompt& prompt, const std::string& model, double temperature,
                                  int max_output_tokens, const std::string& api_key) const {
  json::array messages;
  messages.push_back(json::object{{"role", "system"}, {"content", prompt.system}});
  for (const auto& m : prompt.messages) {
    messages.push_back(json::object{{"role", m.role == PromptRole::kUser ? "user" : "assistant"}, {"content", m.text}});
  }
  json::object body{{"model", model},
                    {"messages", std::move(messages)},
                    {"stream", true},
                    {"stream_options", json::object{{"include_usage", true}}},
                    {"temperature", temperature},
                    {"max_tokens", max_output_tokens}};
  http::Request request;
  request.method = "POST";
  request.url = base_url_ + "/v1/chat/completions";
  request.headers = {"Content-Type: application/json", "Accept: text/event-stream",
                     "Authorization: Bearer " + api_key};
  request.body = json::serialize(body);
  return request;
}

WireEvent OpenAiWire::parse_event(std::string_view data) const {
  WireEvent event;
  if (data == "[DONE]") {
    event.done = true;
    return event;
  }
  auto value = json::parse(data);
  const auto& object = value.as_object();
  if (auto error = stream_error(object)) {
    event.error = std::move(*error);
    return event;
  }
  if (const auto* choices = object.if_contains("choices"); choices && choices->is_array() && !choices->as_array().empty()) {
    const auto& choice = choices->as_array().front().as_object();
    if (const auto* delta = choice.if_contains("delta"); delta && delta->is_object()) {
      if (const auto* content = delta->as_object().if_contains("content"); content && content->is_string()) {
        event.text = std::string(content->as_string());
      }
    }
    if (const auto* finish = choice.if_contains("finish_reason"); finish && finish->is_string()) {
      event.finish_reason = std::string(finish->as_string());
      event.blocked = event.finish_reason == "content_filter";
    }
  }
  if (const auto* usage = object.if_contains("usage"); usage && usage->is_object()) {
    TokenUsage tokens;
    const auto& u = usage->as_object();
    if (const auto* p = u.if_contains("prompt_tokens"); p && p->is_number()) tokens.prompt_tokens = p->to_number<std::int64_t>();
    if (const auto* c = u.if_contains("completion_tokens"); c && c->is_number()) tokens.completion_tokens = c->to_number<std::int64_t>();
    event.usage = tokens;
  }
  return event;
}

}  // namespace botfactory::ai
