#include "channels/telegram_wire.hpp"

#include <boost/json.hpp>

#include "channels/json_fields.hpp"

namespace botfactory::channel::telegram {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxAnswerBytes = 1 << 20;

std::optional<json::value> parse_json(std::string_view text) {
  if (text.size() > kMaxAnswerBytes) return std::nullopt;
  return json_fields::parse_bounded(text, 64);
}

std::optional<std::int64_t> int_member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiAnswer> parse_answer(std::string_view body) {
  auto value = parse_json(body);
  if (!value || !value->is_object()) return std::nullopt;
  const auto& o = value->get_object();
  const auto* ok = o.if_contains("ok");
  if (!ok || !ok->is_bool()) return std::nullopt;
  ApiAnswer answer;
  answer.ok = ok->get_bool();
  answer.error_code = static_cast<int>(int_member(o, "error_code").value_or(0));
  answer.description = json_fields::string_field(o, "description");
  if (const auto* parameters = json_fields::object_field(o, "parameters")) {
    auto retry = int_member(*parameters, "retry_after").value_or(0);
    answer.retry_after_s = static_cast<int>(std::clamp<std::int64_t>(retry, 0, 86400));
  }
  if (const auto* result = o.if_contains("result")) answer.result = json::serialize(*result);
  return answer;
}

std::optional<BotIdentity> parse_bot_identity(std::string_view result) {
  auto value = parse_json(result);
  if (!value || !value->is_object()) return std::nullopt;
  const auto& o = value->get_object();
  auto id = int_member(o, "id");
  if (!id) return std::nullopt;
  return BotIdentity{*id, json_fields::string_field(o, "username"), json_fields::string_field(o, "first_name")};
}

std::optional<InboundText> parse_update(std::string_view update) {
  auto value = parse_json(update);
  if (!value || !value->is_object()) return std::nullopt;
  const auto& o = value->get_object();
  auto update_id = int_member(o, "update_id");
  if (!update_id) return std::nullopt;
  InboundText in;
  in.update_id = *update_id;
  const auto* message = json_fields::object_field(o, "message");
  if (!message) return in;
  const auto* chat = json_fields::object_field(*message, "chat");
  auto chat_id = chat ? int_member(*chat, "id") : std::nullopt;
  if (!chat_id) return in;
  in.has_message = true;
  in.chat_id = *chat_id;
  in.chat_type = json_fields::string_field(*chat, "type");
  in.text = json_fields::string_field(*message, "text");
  if (const auto* from = json_fields::object_field(*message, "from")) {
    in.from_id = int_member(*from, "id").value_or(0);
    in.username = json_fields::string_field(*from, "username");
    std::string name = json_fields::string_field(*from, "first_name");
    auto last = json_fields::string_field(*from, "last_name");
    if (!last.empty()) name += (name.empty() ? "" : " ") + last;
    if (name.empty() && !in.username.empty()) name = "@" + in.username;
    in.display_name = name;
  }
  if (in.display_name.empty()) {
    in.display_name = "Telegram user " + std::to_string(in.from_id ? in.from_id : in.chat_id);
  }
  return in;
}

std::vector<RawUpdate> split_updates(std::string_view result) {
  std::vector<RawUpdate> updates;
  auto value = parse_json(result);
  if (!value || !value->is_array()) return updates;
  for (const auto& entry : value->get_array()) {
    if (!entry.is_object()) continue;
    auto id = int_member(entry.get_object(), "update_id");
    if (!id) continue;
    updates.push_back(RawUpdate{*id, json::serialize(entry)});
  }
  return updates;
}

std::optional<WebhookInfo> parse_webhook_info(std::string_view result) {
  auto value = parse_json(result);
  if (!value || !value->is_object()) return std::nullopt;
  const auto& o = value->get_object();
  return WebhookInfo{json_fields::string_field(o, "url"), int_member(o, "pending_update_count").value_or(0),
                     json_fields::string_field(o, "last_error_message"), int_member(o, "last_error_date").value_or(0)};
}

std::string send_message_body(std::string_view chat_id, std::string_view text) {
  // chat_id is the decimal id we stored; sent as a number as the API documents it.
  json::object body;
  try {
    body["chat_id"] = std::stoll(std::string(chat_id));
  } catch (const std::exception&) {
    body["chat_id"] = chat_id;
  }
  body["text"] = text;
  return json::serialize(body);
}

std::string send_chat_action_body(std::string_view chat_id, std::string_view action) {
  json::object body;
  try {
    body["chat_id"] = std::stoll(std::string(chat_id));
  } catch (const std::exception&) {
    body["chat_id"] = chat_id;
  }
  body["action"] = action;
  return json::serialize(body);
}

std::string get_updates_body(std::int64_t offset, int timeout_s, int limit) {
  return json::serialize(json::object{{"offset", offset},
                                      {"timeout", timeout_s},
                                      {"limit", limit},
                                      {"allowed_updates", json::array{"message"}}});
}

std::string set_webhook_body(std::string_view url, std::string_view secret_token) {
  return json::serialize(json::object{{"url", url},
                                      {"secret_token", secret_token},
                                      {"allowed_updates", json::array{"message"}},
                                      {"drop_pending_updates", false}});
}

}  // namespace botfactory::channel::telegram
