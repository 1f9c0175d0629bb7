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
  if (const auto* query = json_fields::object_field(o, "callback_query")) {
    const auto* id = query->if_contains("id");
    if (!id || !id->is_string() || id->get_string().empty() ||
        id->get_string().size() > kMaxCallbackIdBytes) {
      return in;
    }
    auto& cb = in.callback;
    in.has_callback = true;
    cb.id = std::string(id->get_string());
    if (const auto* from = json_fields::object_field(*query, "from")) {
      cb.from_id = int_member(*from, "id").value_or(0);
    }
    cb.data = json_fields::string_field(*query, "data");
    if (cb.data.size() > kMaxCallbackDataBytes) cb.data.clear();
    if (const auto* message = json_fields::object_field(*query, "message")) {
      cb.message_id = int_member(*message, "message_id").value_or(0);
      if (const auto* chat = json_fields::object_field(*message, "chat")) {
        cb.chat_id = int_member(*chat, "id").value_or(0);
        cb.chat_type = json_fields::string_field(*chat, "type");
      }
    }
    return in;
  }
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

std::string chat_key(const InboundText& update) {
  if (update.has_message) return std::to_string(update.chat_id);
  if (update.has_callback && update.callback.chat_id != 0) {
    return "cb:" + std::to_string(update.callback.chat_id);
  }
  return {};
}

std::optional<RatingPress> parse_rating_data(std::string_view data) {
  constexpr std::string_view kPrefix = "fb:";
  if (data.size() < kPrefix.size() + 3 || data.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  data.remove_prefix(kPrefix.size());
  auto colon = data.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 18) return std::nullopt;
  auto digits = data.substr(0, colon);
  if (digits[0] == '0') return std::nullopt;
  std::int64_t seq = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + (c - '0');  // at most 18 digits: no overflow
  }
  auto kind = data.substr(colon + 1);
  if (kind == "u") return RatingPress{seq, RatingAction::kUp};
  if (kind == "d") return RatingPress{seq, RatingAction::kDown};
  if (kind == "c") return RatingPress{seq, RatingAction::kClear};
  return std::nullopt;
}

std::string rating_data(std::int64_t seq, RatingAction action) {
  const char* kind = action == RatingAction::kUp ? ":u" : action == RatingAction::kDown ? ":d" : ":c";
  return "fb:" + std::to_string(seq) + kind;
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
  WebhookInfo info;
  info.url = json_fields::string_field(o, "url");
  info.pending_update_count = int_member(o, "pending_update_count").value_or(0);
  info.last_error_message = json_fields::string_field(o, "last_error_message");
  info.last_error_date = int_member(o, "last_error_date").value_or(0);
  if (const auto* allowed = json_fields::array_field(o, "allowed_updates")) {
    info.has_allowed_updates = true;
    for (const auto& kind : *allowed) {
      if (info.allowed_updates.size() >= 32) break;
      if (kind.is_string()) info.allowed_updates.emplace_back(kind.get_string());
    }
  }
  return info;
}

namespace {

json::object rating_markup(const RatingButtons& buttons) {
  // Each button's data is the action it performs from what the visitor sees: the chosen one
  // clears, the other sets (a redelivered press then repeats the same action: idempotent).
  auto button = [&](const std::string& label, bool up) {
    std::string text = label;
    auto action = up ? RatingAction::kUp : RatingAction::kDown;
    if (buttons.selected == (up ? "up" : "down")) {
      text += " \u2713";
      action = RatingAction::kClear;
    }
    return json::object{{"text", text}, {"callback_data", rating_data(buttons.seq, action)}};
  };
  json::array row{button(buttons.up_label, true), button(buttons.down_label, false)};
  return json::object{{"inline_keyboard", json::array{row}}};
}

}  // namespace

std::string send_message_body(std::string_view chat_id, std::string_view text,
                              const RatingButtons* buttons) {
  // chat_id is the decimal id we stored; sent as a number as the API documents it.
  json::object body;
  try {
    body["chat_id"] = std::stoll(std::string(chat_id));
  } catch (const std::exception&) {
    body["chat_id"] = chat_id;
  }
  body["text"] = text;
  if (buttons != nullptr) body["reply_markup"] = rating_markup(*buttons);
  return json::serialize(body);
}

std::string answer_callback_query_body(std::string_view callback_query_id, std::string_view text) {
  json::object body{{"callback_query_id", callback_query_id}};
  // At most 200 characters: cut on a code-point boundary (text is ours, valid UTF-8).
  std::size_t end = 0, count = 0;
  while (end < text.size() && count < 200) {
    ++end;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    ++count;
  }
  if (end > 0) body["text"] = text.substr(0, end);
  return json::serialize(body);
}

std::string edit_message_reply_markup_body(std::int64_t chat_id, std::int64_t message_id,
                                           const RatingButtons& buttons) {
  return json::serialize(json::object{{"chat_id", chat_id},
                                      {"message_id", message_id},
                                      {"reply_markup", rating_markup(buttons)}});
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
                                      {"allowed_updates", json::array{"message", "callback_query"}}});
}

std::string set_webhook_body(std::string_view url, std::string_view secret_token) {
  return json::serialize(json::object{{"url", url},
                                      {"secret_token", secret_token},
                                      {"allowed_updates", json::array{"message", "callback_query"}},
                                      {"drop_pending_updates", false}});
}

}  // namespace botfactory::channel::telegram
