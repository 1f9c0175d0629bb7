#include "ws/ws_protocol.hpp"

#include <boost/json.hpp>

#include "botfactory/common/text.hpp"
#include "json_input.hpp"
#include "ws/chat_ops.hpp"
#include "ws/room_frames.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

ParseResult fail(std::string code, std::string message, std::string client_id = {},
                 std::string conversation_id = {}) {
  ParseResult result;
  result.error = FrameError{std::move(code), std::move(message), std::move(client_id),
                            std::move(conversation_id)};
  return result;
}

const json::string* string_at(const json::object& object, const char* key) {
  auto it = object.find(key);
  return (it != object.end() && it->value().is_string()) ? &it->value().as_string() : nullptr;
}

}  // namespace

ParseResult parse_client_frame(std::string_view text) {
  auto input = parse_json_input(text);
  if (input.status == JsonInput::Status::kInvalidJson) {
    return fail("invalid_json", "frame is not valid JSON");
  }
  if (input.status == JsonInput::Status::kControlChar) {
    return fail("invalid_argument", control_char_message(input.field));
  }
  const json::value& value = input.value;
  if (!value.is_object()) return fail("invalid_json", "frame must be a JSON object");
  const auto& object = value.as_object();
  const auto* type = string_at(object, "type");
  if (type == nullptr) return fail("invalid_message", "frame needs a string `type`");

  if (type->starts_with("room.")) return parse_room_frame(object, *type);  // rooms (room_frames.hpp)
  ClientFrame frame;
  if (*type == "ping") {
    frame.type = ClientFrame::Type::kPing;
    return {frame, std::nullopt};
  }
  if (*type == "auth") {
    frame.type = ClientFrame::Type::kAuth;
    const auto* token = string_at(object, "token");
    if (token == nullptr || token->empty() || token->size() > kMaxTokenLength) {
      return fail("invalid_message", "auth needs a string `token`");
    }
    frame.token = std::string(*token);
    return {frame, std::nullopt};
  }
  if (*type == "inbox.subscribe" || *type == "inbox.unsubscribe") {
    frame.type = *type == "inbox.subscribe" ? ClientFrame::Type::kInboxSubscribe
                                            : ClientFrame::Type::kInboxUnsubscribe;
    return {frame, std::nullopt};
  }
  if (*type == "conversation.join") {
    frame.type = ClientFrame::Type::kJoin;
  } else if (*type == "conversation.leave") {
    frame.type = ClientFrame::Type::kLeave;
  } else if (*type == "message.send") {
    frame.type = ClientFrame::Type::kSend;
  } else if (*type == "handoff.request") {
    frame.type = ClientFrame::Type::kHandoff;
  } else if (*type == "typing") {
    frame.type = ClientFrame::Type::kTyping;
  } else {
    return fail("unknown_type", "unknown frame type");
  }

  const auto* conversation_id = string_at(object, "conversation_id");
  std::string client_id;
  if (frame.type == ClientFrame::Type::kSend) {
    if (const auto* id = string_at(object, "client_id")) client_id = std::string(*id);
  }
  if (conversation_id == nullptr || conversation_id->empty() ||
      conversation_id->size() > kMaxConversationIdLength) {
    return fail("invalid_message", "conversation_id is required", client_id);
  }
  frame.conversation_id = std::string(*conversation_id);

  if (frame.type == ClientFrame::Type::kJoin) {
    if (auto it = object.find("since_seq"); it != object.end() && !it->value().is_null()) {
      const auto& since = it->value();
      if (since.is_int64() && since.as_int64() >= 0) {
        frame.since_seq = since.as_int64();
      } else if (since.is_uint64() && since.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        frame.since_seq = static_cast<std::int64_t>(since.as_uint64());
      } else {
        return fail("invalid_message", "since_seq must be an integer >= 0", {},
                    frame.conversation_id);
      }
    }
  } else if (frame.type == ClientFrame::Type::kSend) {
    if (client_id.empty() || client_id.size() > kMaxClientIdLength) {
      return fail("invalid_client_id", "client_id must be 1..64 characters", client_id,
                  frame.conversation_id);
    }
    frame.client_id = client_id;
    const auto* body = string_at(object, "text");
    if (body == nullptr) {
      return fail("invalid_text", "text must be a string", client_id, frame.conversation_id);
    }
    std::string_view trimmed = common::trim(std::string_view(body->data(), body->size()));
    if (trimmed.empty()) {
      return fail("invalid_text", "text is empty", client_id, frame.conversation_id);
    }
    if (common::utf8_length(trimmed) > kMaxTextLength) {
      return fail("invalid_text", "text is longer than 4000 characters", client_id,
                  frame.conversation_id);
    }
    frame.text = std::string(*body);
  } else if (frame.type == ClientFrame::Type::kTyping) {
    const auto* state = string_at(object, "state");
    if (state == nullptr || (*state != "start" && *state != "stop")) {
      return fail("invalid_message", "typing needs `state`: \"start\" or \"stop\"", {},
                  frame.conversation_id);
    }
    frame.typing = *state == "start";
  }
  return {frame, std::nullopt};
}

std::string encode_ack(std::string_view client_id, std::int64_t seq, std::string_view message_id,
                       std::string_view conversation_id) {
  json::object o{{"type", "message.ack"},
                 {"client_id", client_id},
                 {"seq", seq},
                 {"message_id", message_id},
                 {"conversation_id", conversation_id}};
  return json::serialize(o);
}

std::string encode_joined(std::string_view conversation_id, std::int64_t last_seq,
                          const ConversationState* state) {
  json::object o{
      {"type", "conversation.joined"}, {"conversation_id", conversation_id}, {"last_seq", last_seq}};
  if (state) {
    o["handler"] = state->handler;
    o["waiting_for_human"] = state->waiting_for_human;
  }
  return json::serialize(o);
}

std::string encode_left(std::string_view conversation_id) {
  json::object o{{"type", "conversation.left"}, {"conversation_id", conversation_id}};
  return json::serialize(o);
}

std::string encode_error(const FrameError& error) {
  json::object o{{"type", "error"}, {"code", error.code}, {"message", error.message}};
  if (!error.client_id.empty()) o["client_id"] = error.client_id;
  if (!error.conversation_id.empty()) o["conversation_id"] = error.conversation_id;
  if (error.retry_after_ms > 0) o["retry_after_ms"] = error.retry_after_ms;
  return json::serialize(o);
}

std::string encode_auth_ok(std::int64_t expires_at) {
  json::object o{{"type", "auth.ok"}, {"expires_at", expires_at}};
  return json::serialize(o);
}

std::string encode_pong() { return R"({"type":"pong"})"; }

std::string encode_inbox_subscribed() { return R"({"type":"inbox.subscribed"})"; }

std::string encode_inbox_unsubscribed() { return R"({"type":"inbox.unsubscribed"})"; }

std::string encode_inbox_resync() { return R"({"type":"inbox.resync"})"; }

}  // namespace botfactory::gateway
