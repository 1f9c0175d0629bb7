// Takeover / handback / a visitor's request for a person against real PostgreSQL, Redis and
// gRPC: the stored state, the conversation.state events, tenant scoping, and the pipeline
// staying silent while a person handles the conversation.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "botfactory/rpc/client.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;

namespace {

std::vector<chatv1::Conversation> list_conversations(Harness& h, const std::string& tenant) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::ListConversationsRequest request;
  request.set_tenant_id(tenant);
  chatv1::ListConversationsResponse response;
  REQUIRE(h.client().ListConversations(&context, request, &response).ok());
  return {response.conversations().begin(), response.conversations().end()};
}

boost::json::object next_frame(RedisListener& listener) {
  auto payload = listener.next();
  REQUIRE(payload);
  return boost::json::parse(*payload).as_object();
}

void check_state_frame(RedisListener& listener, const std::string& id, const char* handler,
                       bool waiting) {
  auto frame = next_frame(listener);
  CHECK(frame.at("type").as_string() == "conversation.state");
  CHECK(frame.at("conversation_id").as_string() == id);
  CHECK(frame.at("handler").as_string() == handler);
  CHECK(frame.at("waiting_for_human").as_bool() == waiting);
}

}  // namespace

TEST_CASE("takeover, handback and a request for a person change the state and publish it") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  CHECK(conversation.handler() == "bot");
  CHECK_FALSE(conversation.waiting_for_human());
  auto listener = h.listen(conversation.id());

  chatv1::Conversation state;
  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_REQUEST_HUMAN,
                                   &state).ok());
  CHECK(state.handler() == "bot");
  CHECK(state.waiting_for_human());
  check_state_frame(*listener, conversation.id(), "bot", true);

  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_TAKEOVER, &state)
              .ok());
  CHECK(state.handler() == "human");
  CHECK_FALSE(state.waiting_for_human());
  check_state_frame(*listener, conversation.id(), "human", false);

  // Asking for a person while one handles it, or a second takeover: no change, no event.
  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_REQUEST_HUMAN,
                                   &state).ok());
  CHECK_FALSE(state.waiting_for_human());
  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_TAKEOVER, &state)
              .ok());

  // The list shows the state.
  auto listed = list_conversations(h, tenant);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].handler() == "human");

  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_HANDBACK, &state)
              .ok());
  CHECK(state.handler() == "bot");
  // The next event is the handback: the no-ops above published nothing.
  check_state_frame(*listener, conversation.id(), "bot", false);

  SECTION("another tenant, unknown ids and a missing action are refused") {
    CHECK(h.set_conversation_state(random_uuid(), conversation.id(), chatv1::CONVERSATION_ACTION_TAKEOVER,
                                   &state).error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(h.set_conversation_state(tenant, random_uuid(), chatv1::CONVERSATION_ACTION_TAKEOVER, &state)
              .error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(h.set_conversation_state(tenant, "not-a-uuid", chatv1::CONVERSATION_ACTION_TAKEOVER, &state)
              .error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_UNSPECIFIED, &state)
              .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(h.set_conversation_state("", conversation.id(), chatv1::CONVERSATION_ACTION_TAKEOVER, &state)
              .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    auto still = list_conversations(h, tenant);
    CHECK(still[0].handler() == "bot");
  }
}

TEST_CASE("while a person handles a conversation the bot answers only /ai commands") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  chatv1::Conversation state;
  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_TAKEOVER, &state)
              .ok());

  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "Hello?", &posted).ok());
  REQUIRE(h.post(conversation.id(), "v-2", commonv1::SENDER_KIND_VISITOR, "/ai opening hours?",
                 &posted).ok());
  // The /ai command is answered (seq 3); the ordinary message before it never is.
  std::vector<chatv1::Message> messages;
  wait_until([&] {
    messages = h.messages(conversation.id());
    return messages.size() >= 3;
  });
  REQUIRE(messages.size() == 3);
  CHECK(messages[2].sender().kind() == commonv1::SENDER_KIND_BOT);
  CHECK(messages[2].client_id() == "bot-ai-" + posted.message().id());
  CHECK(h.ai.calls == 1);

  // Handed back: the next visitor message is answered again.
  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_HANDBACK, &state)
              .ok());
  REQUIRE(h.post(conversation.id(), "v-3", commonv1::SENDER_KIND_VISITOR, "Thanks", &posted).ok());
  wait_until([&] {
    messages = h.messages(conversation.id());
    return messages.size() >= 5;
  });
  REQUIRE(messages.size() == 5);
  CHECK(messages[4].client_id() == "bot-reply-" + posted.message().id());
  CHECK(h.ai.calls == 2);
}
