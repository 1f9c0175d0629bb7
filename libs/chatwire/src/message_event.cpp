#include "botfactory/chatwire/message_event.hpp"

#include <boost/json.hpp>

#include "botfactory/chatwire/message_attachment.hpp"
#include "botfactory/chatwire/message_change_event.hpp"
#include "botfactory/chatwire/message_sources.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::chatwire {

std::string conversation_channel(std::string_view conversation_id) {
  std::string channel = "chat:conv:";
  channel.append(conversation_id);
  return channel;
}

std::string_view sender_kind_name(botfactory::common::v1::SenderKind kind) {
  switch (kind) {
    case botfactory::common::v1::SENDER_KIND_VISITOR:
      return "visitor";
    case botfactory::common::v1::SENDER_KIND_BOT:
      return "bot";
    case botfactory::common::v1::SENDER_KIND_OPERATOR:
      return "operator";
    default:
      return "unknown";
  }
}

botfactory::common::v1::SenderKind sender_kind_from_name(std::string_view name) {
  if (name == "visitor") return botfactory::common::v1::SENDER_KIND_VISITOR;
  if (name == "bot") return botfactory::common::v1::SENDER_KIND_BOT;
  if (name == "operator") return botfactory::common::v1::SENDER_KIND_OPERATOR;
  return botfactory::common::v1::SENDER_KIND_UNSPECIFIED;
}

std::string encode_message_new(const botfactory::chat::v1::Message& message) {
  // boost::json::object keeps insertion order, which fixes the key order of the frame.
  boost::json::object sender;
  sender.reserve(3);
  sender.emplace("kind", sender_kind_name(message.sender().kind()));
  sender.emplace("id", message.sender().id());
  sender.emplace("name", message.sender().name());

  boost::json::object body;
  body.reserve(5);
  body.emplace("id", message.id());
  body.emplace("sender", std::move(sender));
  body.emplace("text", message.text());
  body.emplace("created_at", rpc::rfc3339(message.created_at()));
  append_edit_state(body, message);  // edits: only when edited / deleted
  append_sources(body, message);
  // Rooms: a membership event of the room's seq stream (chat.v1 Message.event).
  if (!message.event().empty()) body.emplace("event", message.event());
  append_attachment(body, message);  // files
  if (message.rateable()) body.emplace("rateable", true);  // answer feedback (docs/protocol.md)

  boost::json::object frame;
  frame.reserve(4);
  frame.emplace("type", "message.new");
  frame.emplace("conversation_id", message.conversation_id());
  frame.emplace("seq", message.seq());
  frame.emplace("message", std::move(body));
  return boost::json::serialize(frame);
}

std::string encode_message_delta(std::string_view conversation_id, std::int64_t reply_to_seq,
                                 std::string_view delta) {
  boost::json::object frame;
  frame.reserve(4);
  frame.emplace("type", "message.delta");
  frame.emplace("conversation_id", conversation_id);
  frame.emplace("reply_to_seq", reply_to_seq);
  frame.emplace("delta", delta);
  return boost::json::serialize(frame);
}

}  // namespace botfactory::chatwire
