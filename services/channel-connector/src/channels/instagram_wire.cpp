#include "channels/instagram_wire.hpp"

#include <boost/json.hpp>

#include "channels/json_fields.hpp"

namespace botfactory::channel::instagram {
namespace json = boost::json;

std::optional<std::vector<whatsapp::InboundMessage>> parse_webhook(std::string_view body) {
  auto value = json_fields::parse_bounded(body, 32);
  if (!value || !value->is_object()) return std::nullopt;
  const auto* entries = value->get_object().if_contains("entry");
  if (!entries || !entries->is_array()) return std::nullopt;
  std::vector<whatsapp::InboundMessage> out;
  for (const auto& entry : entries->get_array()) {
    if (!entry.is_object()) continue;
    const auto* messaging = entry.get_object().if_contains("messaging");
    if (!messaging || !messaging->is_array()) continue;
    for (const auto& event : messaging->get_array()) {
      if (!event.is_object() || out.size() >= whatsapp::kMaxItemsPerCall) continue;
      const auto& e = event.get_object();
      const auto* sender = e.if_contains("sender");
      const auto* message = e.if_contains("message");
      if (!sender || !sender->is_object() || !message || !message->is_object()) continue;
      const auto& m = message->get_object();
      if (const auto* echo = m.if_contains("is_echo"); echo && echo->is_bool() && echo->get_bool()) continue;
      whatsapp::InboundMessage in;
      in.id = json_fields::string_field(m, "mid");
      in.from = json_fields::string_field(sender->get_object(), "id");
      if (in.id.empty() || in.from.empty() || in.id.size() > 256 || in.from.size() > 64) continue;
      const auto* text = m.if_contains("text");
      in.type = text && text->is_string() ? "text" : "other";
      if (in.type == "text") in.text = std::string(text->get_string());
      if (const auto* ts = e.if_contains("timestamp"); ts && ts->is_int64()) in.timestamp_s = ts->get_int64() / 1000;
      out.push_back(std::move(in));
    }
  }
  return out;
}

std::string send_text_body(std::string_view recipient_id, std::string_view text) {
  return json::serialize(json::object{{"recipient", json::object{{"id", recipient_id}}},
                                      {"message", json::object{{"text", text}}}});
}

std::string sent_message_id(std::string_view body) {
  auto value = json_fields::parse_bounded(body, 32);
  if (!value || !value->is_object()) return {};
  return json_fields::string_field(value->get_object(), "message_id");
}

}  // namespace botfactory::channel::instagram
