#include "webhooks/webhook_payloads.hpp"

#include <boost/json.hpp>

#include "botfactory/common/time.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::channel {
namespace {

std::string envelope(const char* event, const std::string& tenant_id, const std::string& created_at,
                     boost::json::object data) {
  boost::json::object out;
  out["event"] = event;
  out["tenant_id"] = tenant_id;
  out["created_at"] = created_at;
  out["data"] = std::move(data);
  return boost::json::serialize(out);
}

const char* role_of(common::v1::SenderKind kind) {
  switch (kind) {
    case common::v1::SENDER_KIND_VISITOR: return "visitor";
    case common::v1::SENDER_KIND_BOT: return "bot";
    case common::v1::SENDER_KIND_OPERATOR: return "operator";
    default: return "system";
  }
}

boost::json::object conversation_data(const chat::v1::Conversation& c) {
  return boost::json::object{
      {"bot_id", c.bot_id()},
      {"conversation_id", c.id()},
      {"channel", c.channel()},
      {"visitor", boost::json::object{{"id", c.visitor().id()}, {"name", c.visitor().name()}}}};
}

}  // namespace

std::string message_created_payload(const chat::v1::Conversation& conversation,
                                    const chat::v1::Message& message) {
  const auto created = rpc::rfc3339(message.created_at());
  boost::json::object data{
      {"bot_id", conversation.bot_id()},
      {"conversation_id", message.conversation_id()},
      {"channel", conversation.channel()},
      {"message_id", message.id()},
      {"seq", message.seq()},
      {"author", boost::json::object{{"role", role_of(message.sender().kind())},
                                     {"id", message.sender().id()},
                                     {"name", message.sender().name()}}},
      {"text", message.text()},
      {"created_at", created}};
  return envelope("message.created", conversation.tenant_id(), created, std::move(data));
}

std::string conversation_created_payload(const chat::v1::Conversation& conversation) {
  const auto created = rpc::rfc3339(conversation.created_at());
  auto data = conversation_data(conversation);
  data["created_at"] = created;
  return envelope("conversation.created", conversation.tenant_id(), created, std::move(data));
}

std::string handoff_requested_payload(const chat::v1::Conversation& conversation,
                                      std::int64_t now_us) {
  auto data = conversation_data(conversation);
  data["handler"] = conversation.handler();
  return envelope("handoff.requested", conversation.tenant_id(),
                  common::rfc3339_utc_from_micros(now_us), std::move(data));
}

std::string webhook_test_payload(const std::string& tenant_id, const std::string& endpoint_id,
                                 std::int64_t now_us) {
  return envelope("webhook.test", tenant_id, common::rfc3339_utc_from_micros(now_us),
                  boost::json::object{{"endpoint_id", endpoint_id},
                                      {"message", "This is a test event from BotFactory."}});
}

}  // namespace botfactory::channel
