#include "botfactory/chatwire/inbox_event.hpp"

#include <boost/json.hpp>

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::chatwire {

std::string inbox_key(std::string_view tenant_id) {
  std::string key("inbox:");
  key += tenant_id;
  return key;
}

std::string message_preview(std::string_view text) {
  return std::string(text.substr(0, common::utf8_offset(text, kPreviewCodePoints)));
}

boost::json::object inbox_item(const botfactory::chat::v1::Conversation& c) {
  boost::json::value last = nullptr;
  if (c.has_last_message()) {
    const auto& m = c.last_message();
    last = boost::json::object{{"seq", m.seq()},
                               {"sender_kind", sender_kind_name(m.sender_kind())},
                               {"preview", message_preview(m.preview())},
                               {"created_at", rpc::rfc3339(m.created_at())}};
  }
  return boost::json::object{
      {"id", c.id()},
      {"bot_id", c.bot_id()},
      {"channel", c.channel()},
      {"visitor", {{"kind", "visitor"}, {"id", c.visitor().id()}, {"name", c.visitor().name()}}},
      {"handler", c.handler().empty() ? "bot" : c.handler()},
      {"waiting_for_human", c.waiting_for_human()},
      {"last_seq", c.last_seq()},
      {"created_at", rpc::rfc3339(c.created_at())},
      {"updated_at", rpc::rfc3339(c.updated_at())},
      {"last_message", std::move(last)}};
}

std::string encode_conversation_updated(const botfactory::chat::v1::Conversation& conversation) {
  boost::json::object frame;
  frame.reserve(2);
  frame.emplace("type", "conversation.updated");
  frame.emplace("conversation", inbox_item(conversation));
  return boost::json::serialize(frame);
}

}  // namespace botfactory::chatwire
