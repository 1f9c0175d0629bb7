// The bot pipeline end to end: channel-connector's real wiring against in-test bot-registry,
// subscription and ai-proxy gRPC servers, real PostgreSQL and real Redis.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "bot_phrases.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;

namespace {

/// Waits until the conversation holds `count` messages; returns them.
std::vector<chatv1::Message> wait_for_messages(Harness& h, const std::string& conversation_id,
                                               std::size_t count) {
  std::vector<chatv1::Message> messages;
  wait_until([&] {
    messages = h.messages(conversation_id);
    return messages.size() >= count;
  });
  return messages;
}

boost::json::object next_frame(RedisListener& listener) {
  auto payload = listener.next();
  REQUIRE(payload);
  return boost::json::parse(*payload).as_object();
}

}  // namespace

TEST_CASE("a visitor message gets a streamed bot reply committed with the next seq") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "Hi! How can I help?");
  auto conversation = h.create_conversation(tenant, bot.id(), "Guest 4821");
  auto listener = h.listen(conversation.id());

  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "What are your hours?",
                 &posted)
              .ok());
  CHECK(posted.message().seq() == 2);

  auto messages = wait_for_messages(h, conversation.id(), 3);
  REQUIRE(messages.size() == 3);
  const auto& reply = messages[2];
  CHECK(reply.seq() == 3);
  CHECK(reply.sender().kind() == commonv1::SENDER_KIND_BOT);
  CHECK(reply.sender().id() == bot.id());
  CHECK(reply.sender().name() == "Helper");
  CHECK(reply.text() == "Hello, world");
  CHECK(reply.client_id() == "bot-reply-" + posted.message().id());

  // What ai-proxy was asked: the bot's settings, earlier turns as history, the visitor's text.
  CHECK(h.subscription.calls == 1);
  CHECK(h.ai.calls == 1);
  auto request = h.ai.last_request();
  CHECK(request.tenant_id() == tenant);
  CHECK(request.bot_id() == bot.id());
  CHECK(request.conversation_id() == conversation.id());
  CHECK(request.language() == "en");
  CHECK(request.instructions() == "Answer from the knowledge base.");
  CHECK(request.provider().provider() == "extractive");
  CHECK(request.user_text() == "What are your hours?");
  REQUIRE(request.history_size() == 1);
  CHECK(request.history(0).sender() == commonv1::SENDER_KIND_BOT);
  CHECK(request.history(0).text() == "Hi! How can I help?");

  // On Redis: the visitor message, each delta (reply_to_seq = 2), then the committed reply.
  auto visitor_frame = next_frame(*listener);
  CHECK(visitor_frame.at("type").as_string() == "message.new");
  CHECK(visitor_frame.at("seq").as_int64() == 2);
  CHECK(visitor_frame.at("message").as_object().at("sender").as_object().at("kind").as_string() ==
        "visitor");
  std::string streamed;
  for (int i = 0; i < 3; ++i) {
    auto delta = next_frame(*listener);
    CHECK(delta.at("type").as_string() == "message.delta");
    CHECK(delta.at("conversation_id").as_string() == conversation.id());
    CHECK(delta.at("reply_to_seq").as_int64() == 2);
    CHECK_FALSE(delta.contains("seq"));
    streamed += std::string(delta.at("delta").as_string());
  }
  CHECK(streamed == "Hello, world");
  auto reply_frame = next_frame(*listener);
  CHECK(reply_frame.at("type").as_string() == "message.new");
  CHECK(reply_frame.at("seq").as_int64() == 3);
  const auto& reply_message = reply_frame.at("message").as_object();
  CHECK(reply_message.at("text").as_string() == "Hello, world");
  CHECK(reply_message.at("sender").as_object().at("kind").as_string() == "bot");
  CHECK(reply_message.at("id").as_string() == reply.id());

  // A repeated visitor message does not start the pipeline again.
  chatv1::PostMessageResponse again;
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "What are your hours?",
                 &again)
              .ok());
  CHECK(again.duplicate());
  // A second question gets a second reply; its history now holds the first exchange.
  REQUIRE(h.post(conversation.id(), "v-2", commonv1::SENDER_KIND_VISITOR, "And on Sunday?", &posted)
              .ok());
  CHECK(posted.message().seq() == 4);
  messages = wait_for_messages(h, conversation.id(), 5);
  REQUIRE(messages.size() == 5);
  CHECK(messages[4].sender().kind() == commonv1::SENDER_KIND_BOT);
  CHECK(h.ai.calls == 2);
  CHECK(h.ai.last_request().history_size() == 3);
}

TEST_CASE("an exhausted quota gets the polite notice in the bot's language and no Generate call") {
  Harness h;
  h.subscription.exhausted = true;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Помощник", "ru", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  auto listener = h.listen(conversation.id());

  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "Сколько стоит?", &posted)
              .ok());
  auto messages = wait_for_messages(h, conversation.id(), 2);
  REQUIRE(messages.size() == 2);
  CHECK(messages[1].seq() == 2);
  CHECK(messages[1].sender().kind() == commonv1::SENDER_KIND_BOT);
  CHECK(messages[1].sender().name() == "Помощник");
  CHECK(messages[1].text() ==
        "Извините, сейчас этот помощник не может ответить. Пожалуйста, попробуйте позже.");
  CHECK(h.subscription.calls == 1);
  CHECK(h.ai.calls == 0);

  CHECK(next_frame(*listener).at("seq").as_int64() == 1);
  auto notice = next_frame(*listener);
  CHECK(notice.at("type").as_string() == "message.new");
  CHECK(notice.at("seq").as_int64() == 2);
  CHECK(notice.at("message").as_object().at("text").as_string() ==
        botfactory::channel::quota_exhausted_text("ru"));
}

TEST_CASE("an ai-proxy failure gets an apology, never silence") {
  Harness h;
  h.ai.fail = true;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());

  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "Hello?", &posted).ok());
  auto messages = wait_for_messages(h, conversation.id(), 2);
  REQUIRE(messages.size() == 2);
  CHECK(messages[1].sender().kind() == commonv1::SENDER_KIND_BOT);
  CHECK(messages[1].text() == botfactory::channel::apology_text("en"));
  CHECK(messages[1].client_id() == "bot-reply-" + posted.message().id());
  CHECK(h.ai.calls == 1);
  CHECK(h.metrics.render().find(R"(chat_pipeline_runs_total{outcome="apologized"} 1)") !=
        std::string::npos);
}

TEST_CASE("operator and bot messages do not start the pipeline") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "uz", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "o-1", commonv1::SENDER_KIND_OPERATOR, "Salom", &posted).ok());
  REQUIRE(h.post(conversation.id(), "b-1", commonv1::SENDER_KIND_BOT, "Salom!", &posted).ok());
  // A visitor message afterwards is answered; by then the two above would have been too.
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "Narxi?", &posted).ok());
  auto messages = wait_for_messages(h, conversation.id(), 4);
  REQUIRE(messages.size() == 4);
  CHECK(messages[3].client_id() == "bot-reply-" + posted.message().id());
  CHECK(h.ai.calls == 1);
  CHECK(h.ai.last_request().language() == "uz");
}
