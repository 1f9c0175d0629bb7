#include "channels/whatsapp_wire.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include "channels/json_fields.hpp"

namespace botfactory::channel::whatsapp {
namespace {
namespace json = boost::json;

void take_value(const json::object& value, WebhookPayload& out) {
  std::vector<std::pair<std::string, std::string>> names;  // wa_id → profile name
  if (const auto* contacts = json_fields::array_field(value, "contacts")) {
    for (const auto& c : *contacts) {
      if (!c.is_object()) continue;
      const auto* profile = json_fields::object_field(c.get_object(), "profile");
      names.emplace_back(json_fields::string_field(c.get_object(), "wa_id"), profile ? json_fields::string_field(*profile, "name") : "");
    }
  }
  if (const auto* messages = json_fields::array_field(value, "messages")) {
    for (const auto& m : *messages) {
      if (!m.is_object() || out.messages.size() >= kMaxItemsPerCall) continue;
      const auto& o = m.get_object();
      InboundMessage message;
      message.id = json_fields::string_field(o, "id");
      message.from = json_fields::string_field(o, "from");
      if (message.id.empty() || message.from.empty() || message.id.size() > 256 || message.from.size() > 64) continue;
      message.type = json_fields::string_field(o, "type");
      if (message.type == "text") {
        if (const auto* text = json_fields::object_field(o, "text")) message.text = json_fields::string_field(*text, "body");
      }
      auto ts = json_fields::string_field(o, "timestamp");
      if (!ts.empty() && ts.size() < 19 && ts.find_first_not_of("0123456789") == std::string::npos) {
        message.timestamp_s = std::stoll(ts);
      }
      for (const auto& [wa_id, name] : names) {
        if (wa_id == message.from || names.size() == 1) message.name = name;
      }
      out.messages.push_back(std::move(message));
    }
  }
  if (const auto* statuses = json_fields::array_field(value, "statuses")) {
    for (const auto& s : *statuses) {
      if (!s.is_object() || out.statuses.size() >= kMaxItemsPerCall) continue;
      const auto& o = s.get_object();
      StatusUpdate status{json_fields::string_field(o, "id"), json_fields::string_field(o, "status"), json_fields::string_field(o, "recipient_id"), {}};
      if (status.id.empty() || status.status.empty() || status.id.size() > 256 || status.status.size() > 32) continue;
      if (const auto* errors = json_fields::array_field(o, "errors"); errors && !errors->empty() && (*errors)[0].is_object()) {
        const auto& e = (*errors)[0].get_object();
        const auto* code = e.if_contains("code");
        std::string text = code && code->is_int64() ? std::to_string(code->get_int64()) + " " : "";
        text += json_fields::string_field(e, "title");
        status.error = text.substr(0, 300);
      }
      out.statuses.push_back(std::move(status));
    }
  }
}

}  // namespace

std::optional<WebhookPayload> parse_webhook(std::string_view body) {
  auto value = json_fields::parse_bounded(body, 32);
  if (!value || !value->is_object()) return std::nullopt;
  const auto* entries = json_fields::array_field(value->get_object(), "entry");
  if (!entries) return std::nullopt;
  WebhookPayload out;
  for (const auto& entry : *entries) {
    if (!entry.is_object()) continue;
    const auto* changes = json_fields::array_field(entry.get_object(), "changes");
    if (!changes) continue;
    for (const auto& change : *changes) {
      if (!change.is_object()) continue;
      if (const auto* v = json_fields::object_field(change.get_object(), "value")) take_value(*v, out);
    }
  }
  return out;
}

std::string sign(std::string_view app_secret, std::string_view body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(app_secret.data()),
                              app_secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return "sha256=" + std::string(hex);
}

bool signature_ok(std::string_view app_secret, std::string_view body, std::string_view header) {
  constexpr std::string_view kPrefix = "sha256=";
  if (app_secret.empty() || header.size() != kPrefix.size() + 64 || header.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  std::string given(header.substr(kPrefix.size()));
  for (auto& c : given) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  auto expected = sign(app_secret, body).substr(kPrefix.size());
  return sodium_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

std::string stored_message_json(const InboundMessage& m) {
  return json::serialize(json::object{{"id", m.id},     {"from", m.from}, {"name", m.name},
                                      {"type", m.type}, {"text", m.text}, {"timestamp", m.timestamp_s}});
}

std::optional<InboundMessage> parse_stored_message(std::string_view text) {
  auto value = json_fields::parse_bounded(text, 32);
  if (!value || !value->is_object()) return std::nullopt;
  const auto& o = value->get_object();
  InboundMessage m{json_fields::string_field(o, "id"), json_fields::string_field(o, "from"), json_fields::string_field(o, "name"), json_fields::string_field(o, "type"), json_fields::string_field(o, "text"), 0};
  if (const auto* ts = o.if_contains("timestamp"); ts && ts->is_int64()) m.timestamp_s = ts->get_int64();
  if (m.id.empty() || m.from.empty()) return std::nullopt;
  return m;
}

std::string send_text_body(std::string_view to, std::string_view text) {
  return json::serialize(json::object{{"messaging_product", "whatsapp"},
                                      {"to", to},
                                      {"type", "text"},
                                      {"text", json::object{{"body", text}}}});
}

std::string sent_message_id(std::string_view body) {
  auto value = json_fields::parse_bounded(body, 32);
  if (!value || !value->is_object()) return {};
  const auto* messages = json_fields::array_field(value->get_object(), "messages");
  if (!messages || messages->empty() || !(*messages)[0].is_object()) return {};
  return json_fields::string_field((*messages)[0].get_object(), "id");
}

GraphError parse_graph_error(std::string_view body) {
  GraphError out;
  auto value = json_fields::parse_bounded(body, 32);
  if (!value || !value->is_object()) return out;
  const auto* error = json_fields::object_field(value->get_object(), "error");
  if (!error) return out;
  if (const auto* code = error->if_contains("code"); code && code->is_int64()) out.code = static_cast<long>(code->get_int64());
  out.message = json_fields::string_field(*error, "message").substr(0, 300);
  return out;
}

}  // namespace botfactory::channel::whatsapp
