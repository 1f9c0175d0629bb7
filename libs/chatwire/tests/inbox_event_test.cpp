// The inbox item and its conversation.updated frame (docs/protocol.md "Inbox").
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "botfactory/chatwire/inbox_event.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
namespace chatwire = botfactory::chatwire;

TEST_CASE("message_preview keeps the first 120 code points and never splits one") {
  CHECK(chatwire::message_preview("short") == "short");
  std::string cyrillic;
  for (int i = 0; i < 130; ++i) cyrillic += "д";  // 2 bytes each
  CHECK(chatwire::message_preview(cyrillic) == cyrillic.substr(0, 240));
  std::string emoji;
  for (int i = 0; i < 121; ++i) emoji += "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes each
  CHECK(chatwire::message_preview(emoji).size() == 480);
  CHECK(chatwire::message_preview("") == "");
}

TEST_CASE("conversation.updated carries the inbox item; last_message is null before a message") {
  chatv1::Conversation c;
  c.set_id("c-1");
  c.set_tenant_id("t-1");
  c.set_bot_id("b-1");
  c.set_channel("telegram");
  c.mutable_visitor()->set_id("v-1");
  c.mutable_visitor()->set_name("Ann \"the\" visitor");
  c.set_last_seq(0);
  auto empty = boost::json::parse(chatwire::encode_conversation_updated(c)).as_object();
  CHECK(empty.at("type").as_string() == "conversation.updated");
  const auto& item = empty.at("conversation").as_object();
  CHECK(item.at("id").as_string() == "c-1");
  CHECK(item.at("channel").as_string() == "telegram");
  CHECK(item.at("handler").as_string() == "bot");  // unset handler reads as the bot
  CHECK(item.at("visitor").at("name").as_string() == "Ann \"the\" visitor");
  CHECK(item.at("last_message").is_null());
  CHECK_FALSE(item.contains("tenant_id"));  // the tenant is the channel, never the payload

  auto* last = c.mutable_last_message();
  last->set_seq(7);
  last->set_sender_kind(commonv1::SENDER_KIND_OPERATOR);
  last->set_preview(std::string(300, 'x'));
  c.set_handler("human");
  auto full = chatwire::inbox_item(c);
  CHECK(full.at("handler").as_string() == "human");
  CHECK(full.at("last_message").at("seq").as_int64() == 7);
  CHECK(full.at("last_message").at("sender_kind").as_string() == "operator");
  CHECK(full.at("last_message").at("preview").as_string().size() == 120);
  CHECK(chatwire::inbox_key("t-1") == "inbox:t-1");
}
