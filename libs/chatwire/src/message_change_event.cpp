#include "botfactory/chatwire/message_change_event.hpp"

#include <boost/json.hpp>

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::chatwire {

bool is_change_event(const botfactory::chat::v1::Message& message) {
  return message.target_seq() > 0 && (message.event() == "edited" || message.event() == "deleted");
}

void append_edit_state(boost::json::object& body, const botfactory::chat::v1::Message& message) {
  if (message.has_edited_at()) body.emplace("edited_at", rpc::rfc3339(message.edited_at()));
  if (message.deleted()) {
    body.emplace("deleted", true);
    if (message.has_deleted_at()) body.emplace("deleted_at", rpc::rfc3339(message.deleted_at()));
  }
}

std::string encode_message_change(const botfactory::chat::v1::Message& event) {
  boost::json::object sender;
  sender.reserve(3);
  sender.emplace("kind", sender_kind_name(event.sender().kind()));
  sender.emplace("id", event.sender().id());
  sender.emplace("name", event.sender().name());

  boost::json::object body;
  body.reserve(7);
  body.emplace("id", event.id());
  body.emplace("sender", std::move(sender));
  body.emplace("text", event.deleted() ? std::string() : event.text());
  body.emplace("created_at", rpc::rfc3339(event.created_at()));
  append_edit_state(body, event);

  boost::json::object frame;
  frame.reserve(5);
  frame.emplace("type", event.event() == "deleted" ? "message.deleted" : "message.edited");
  frame.emplace("conversation_id", event.conversation_id());
  frame.emplace("seq", event.seq());
  frame.emplace("target_seq", event.target_seq());
  frame.emplace("message", std::move(body));
  return boost::json::serialize(frame);
}

std::string encode_stream_entry(const botfactory::chat::v1::Message& entry) {
  return is_change_event(entry) ? encode_message_change(entry) : encode_message_new(entry);
}

}  // namespace botfactory::chatwire
