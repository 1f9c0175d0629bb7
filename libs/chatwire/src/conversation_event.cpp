#include "botfactory/chatwire/conversation_event.hpp"

#include <boost/json.hpp>

namespace botfactory::chatwire {

std::string encode_conversation_state(std::string_view conversation_id, std::string_view handler,
                                      bool waiting_for_human) {
  boost::json::object frame;
  frame.reserve(4);
  frame.emplace("type", "conversation.state");
  frame.emplace("conversation_id", conversation_id);
  frame.emplace("handler", handler);
  frame.emplace("waiting_for_human", waiting_for_human);
  return boost::json::serialize(frame);
}

std::string encode_typing(std::string_view conversation_id, bool typing, std::string_view kind,
                          std::string_view sender_id, std::string_view sender_name) {
  boost::json::object frame;
  frame.reserve(4);
  frame.emplace("type", "typing");
  frame.emplace("conversation_id", conversation_id);
  frame.emplace("state", typing ? "start" : "stop");
  frame.emplace("sender", boost::json::object{{"kind", kind}, {"id", sender_id}, {"name", sender_name}});
  return boost::json::serialize(frame);
}

}  // namespace botfactory::chatwire
