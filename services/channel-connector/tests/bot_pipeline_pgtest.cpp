// The bot pipeline end to end: channel-connector's real wiring against in-test bot-registry,
// subscription and ai-proxy gRPC servers, real PostgreSQL and real Redis.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "pipeline/bot_phrases.hpp"
#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/pg/pool.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace aiv1 = botfactory::ai::v1;
using botfactory::channel::ChannelSettings;
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
  // Deltas flushed by time only after an hour: the first goes out at once, the rest together
  // before the final message, whatever the machine's speed.
  Harness h([](ChannelSettings& s) { s.delta_flush_interval = std::chrono::hours(1); });
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

  // On Redis: the visitor message, the bot's typing, each delta (reply_to_seq = 2), then the
  // committed reply.
  auto visitor_frame = next_frame(*listener);
  CHECK(visitor_frame.at("type").as_string() == "message.new");
  CHECK(visitor_frame.at("seq").as_int64() == 2);
  CHECK(visitor_frame.at("message").as_object().at("sender").as_object().at("kind").as_string() ==
        "visitor");
  // The bot types while the model works (ephemeral, before the first delta).
  auto typing = next_frame(*listener);
  CHECK(typing.at("type").as_string() == "typing");
  CHECK(typing.at("state").as_string() == "start");
  CHECK(typing.at("sender").at("kind").as_string() == "bot");
  CHECK(typing.at("sender").at("id").as_string() == bot.id());
  // Three deltas from the model, two events on Redis: "Hello" at once, ", world" coalesced.
  std::vector<std::string> streamed;
  for (int i = 0; i < 2; ++i) {
    auto delta = next_frame(*listener);
    CHECK(delta.at("type").as_string() == "message.delta");
    CHECK(delta.at("conversation_id").as_string() == conversation.id());
    CHECK(delta.at("reply_to_seq").as_int64() == 2);
    CHECK_FALSE(delta.contains("seq"));
    streamed.emplace_back(delta.at("delta").as_string());
  }
  CHECK(streamed == std::vector<std::string>{"Hello", ", world"});
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

namespace {

aiv1::Source source(const std::string& document, const std::string& title, const std::string& chunk) {
  aiv1::Source s;
  s.set_document_id(document);
  s.set_document_title(title);
  s.set_chunk_id(chunk);
  s.set_score(0.5);
  return s;
}

/// Frames from `listener` up to and including the next message.new.
boost::json::object next_message_new(RedisListener& listener, std::string* raw = nullptr) {
  for (;;) {
    auto payload = listener.next();
    REQUIRE(payload);
    auto frame = boost::json::parse(*payload).as_object();
    if (frame.at("type").as_string() == "message.new") {
      if (raw) *raw = *payload;
      return frame;
    }
  }
}

}  // namespace

TEST_CASE("a reply's sources are stored, listed and published; live and replayed frames are identical") {
  Harness h;
  h.subscription.serve_token_usage = true;
  std::string long_title(300, 'T');
  h.ai.deltas = {"Open 9-17 [1]", ", closed on holidays [2]."};
  h.ai.sources = {source("doc-1", "Opening hours", "chunk-1"), source("doc-2", long_title, "chunk-7")};
  for (int i = 3; i <= 12; ++i) {
    h.ai.sources.push_back(source("doc-" + std::to_string(i), "Extra", "chunk-x"));
  }
  h.ai.provider = "gemini";
  h.ai.model = "gemini-2.0-flash";
  h.ai.usage.set_prompt_tokens(321);
  h.ai.usage.set_completion_tokens(12);
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "Hi!");
  auto conversation = h.create_conversation(tenant, bot.id());
  auto listener = h.listen(conversation.id());

  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "When are you open?",
                 &posted)
              .ok());
  std::string visitor_raw;
  auto visitor_frame = next_message_new(*listener, &visitor_raw);
  CHECK(visitor_frame.at("seq").as_int64() == 2);
  CHECK(visitor_raw.find("sources") == std::string::npos);  // no key without sources
  std::string reply_raw;
  auto reply_frame = next_message_new(*listener, &reply_raw);
  CHECK(reply_frame.at("seq").as_int64() == 3);

  auto messages = wait_for_messages(h, conversation.id(), 3);
  REQUIRE(messages.size() == 3);
  const auto& reply = messages[2];
  CHECK(reply.text() == "Open 9-17 [1], closed on holidays [2].");
  // Bounded: 10 of the 12 sources, in citation order, the long title cut to 200 code points.
  REQUIRE(reply.sources_size() == 10);
  CHECK(reply.sources(0).document_id() == "doc-1");
  CHECK(reply.sources(0).document_title() == "Opening hours");
  CHECK(reply.sources(0).chunk_id() == "chunk-1");
  CHECK(reply.sources(1).document_title() == std::string(200, 'T'));
  CHECK(reply.sources(9).document_id() == "doc-10");
  CHECK(messages[0].sources_size() == 0);
  CHECK(messages[1].sources_size() == 0);

  // The live frames are what a replay (the gateway encoding ListMessages) writes, byte for byte.
  CHECK(reply_raw == botfactory::chatwire::encode_message_new(reply));
  CHECK(visitor_raw == botfactory::chatwire::encode_message_new(messages[1]));
  const auto& wire_sources = reply_frame.at("message").as_object().at("sources").as_array();
  REQUIRE(wire_sources.size() == 10);
  CHECK(wire_sources[0].as_object().at("document_title").as_string() == "Opening hours");

  // Stored as a jsonb array on the bot message only.
  auto connection = h.pool().acquire();
  auto stored = connection->exec(
      "SELECT seq, jsonb_array_length(sources) FROM chat.messages WHERE conversation_id = $1 "
      "AND sources IS NOT NULL",
      {conversation.id()});
  REQUIRE(stored.rows() == 1);
  CHECK(stored.int64(0, 0) == 3);
  CHECK(stored.int64(0, 1) == 10);
  // The database refuses an unbounded list even from another writer.
  std::string eleven = "[";
  for (int i = 0; i < 11; ++i) eleven += std::string(i ? "," : "") + R"({"document_id":"d"})";
  eleven += "]";
  CHECK_THROWS(connection->exec("UPDATE chat.messages SET sources = $2::jsonb WHERE id = $1",
                                {reply.id(), eleven}));

  // The model tokens are recorded under the reply's client id.
  wait_until([&] { return h.subscription.token_usage().size() == 1; });
  auto usage = h.subscription.token_usage();
  REQUIRE(usage.size() == 1);
  CHECK(usage[0].tenant_id() == tenant);
  CHECK(usage[0].bot_id() == bot.id());
  CHECK(usage[0].reply_id() == reply.client_id());
  CHECK(usage[0].provider() == "gemini");
  CHECK(usage[0].model() == "gemini-2.0-flash");
  CHECK(usage[0].prompt_tokens() == 321);
  CHECK(usage[0].completion_tokens() == 12);
}

TEST_CASE("a subscription without RecordTokenUsage costs the reply nothing") {
  Harness h;  // serve_token_usage off: UNIMPLEMENTED
  h.ai.usage.set_completion_tokens(7);
  h.ai.provider = "openai";
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "Hi", &posted).ok());
  auto messages = wait_for_messages(h, conversation.id(), 2);
  REQUIRE(messages.size() == 2);
  CHECK(messages[1].text() == "Hello, world");
  wait_until([&] {
    return h.metrics.render().find(R"(chat_token_usage_records_total{result="unimplemented"} 1)") !=
           std::string::npos;
  });
  CHECK(h.subscription.token_usage_calls == 1);
  CHECK(h.metrics.render().find(R"(chat_pipeline_runs_total{outcome="replied"} 1)") !=
        std::string::npos);
}

TEST_CASE("the provider's rate limit gets the polite busy notice; a used-up allowance is passed on") {
  Harness h;
  h.ai.fail = true;
  h.ai.fail_code = grpc::StatusCode::RESOURCE_EXHAUSTED;
  h.subscription.tokens_used = 5000;
  h.subscription.tokens_limit = 5000;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Yordamchi", "uz", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "Salom", &posted).ok());
  auto messages = wait_for_messages(h, conversation.id(), 2);
  REQUIRE(messages.size() == 2);
  CHECK(messages[1].text() == botfactory::channel::provider_busy_text("uz"));
  CHECK(h.ai.last_request().tokens_exhausted());
}

TEST_CASE("/ai: any participant asks the model with their own last messages as context") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "Hi!");
  auto conversation = h.create_conversation(tenant, bot.id());
  chatv1::PostMessageResponse posted;
  // seq 1 greeting; 2 visitor; 3 bot reply; 4, 5 operator; 6 visitor; 7 bot reply.
  REQUIRE(h.post(conversation.id(), "v-1", commonv1::SENDER_KIND_VISITOR, "My order is late",
                 &posted, "visitor-1")
              .ok());
  wait_for_messages(h, conversation.id(), 3);
  REQUIRE(h.post(conversation.id(), "o-1", commonv1::SENDER_KIND_OPERATOR, "Looking into it",
                 &posted, "operator-1")
              .ok());
  REQUIRE(h.post(conversation.id(), "o-2", commonv1::SENDER_KIND_OPERATOR, "Order 1234 is stuck",
                 &posted, "operator-1")
              .ok());
  REQUIRE(h.post(conversation.id(), "v-2", commonv1::SENDER_KIND_VISITOR, "Any news?", &posted, "visitor-1")
              .ok());
  wait_for_messages(h, conversation.id(), 7);
  CHECK(h.ai.calls == 2);

  // The operator's command: stored like any message, answered although it is an operator's.
  REQUIRE(h.post(conversation.id(), "o-3", commonv1::SENDER_KIND_OPERATOR,
                 "/ai What is our delivery delay policy?", &posted, "operator-1")
              .ok());
  CHECK(posted.message().seq() == 8);
  CHECK(posted.message().text() == "/ai What is our delivery delay policy?");
  auto messages = wait_for_messages(h, conversation.id(), 9);
  REQUIRE(messages.size() == 9);
  CHECK(messages[8].sender().kind() == commonv1::SENDER_KIND_BOT);
  CHECK(messages[8].client_id() == "bot-ai-" + posted.message().id());
  CHECK(h.ai.calls == 3);
  auto request = h.ai.last_request();
  CHECK(request.user_text() == "What is our delivery delay policy?");
  // Context: the operator's own earlier messages only (not the visitor's, not the bot's).
  REQUIRE(request.history_size() == 2);
  CHECK(request.history(0).sender() == commonv1::SENDER_KIND_OPERATOR);
  CHECK(request.history(0).text() == "Looking into it");
  CHECK(request.history(1).text() == "Order 1234 is stuck");

  // A bare command gets the usage hint, without a model call.
  REQUIRE(h.post(conversation.id(), "o-4", commonv1::SENDER_KIND_OPERATOR, "/AI", &posted, "operator-1").ok());
  messages = wait_for_messages(h, conversation.id(), 11);
  REQUIRE(messages.size() == 11);
  CHECK(messages[10].text() == botfactory::channel::ai_usage_text("en"));
  CHECK(messages[10].client_id() == "bot-ai-" + posted.message().id());
  CHECK(h.ai.calls == 3);

  // The visitor's command is answered once, with the visitor's own messages as context.
  REQUIRE(h.post(conversation.id(), "v-3", commonv1::SENDER_KIND_VISITOR, "/ai when will it ship?",
                 &posted, "visitor-1")
              .ok());
  messages = wait_for_messages(h, conversation.id(), 13);
  REQUIRE(messages.size() == 13);
  CHECK(messages[12].client_id() == "bot-ai-" + posted.message().id());
  request = h.ai.last_request();
  CHECK(request.user_text() == "when will it ship?");
  REQUIRE(request.history_size() == 2);
  CHECK(request.history(0).text() == "My order is late");
  CHECK(request.history(1).text() == "Any news?");
  CHECK(h.ai.calls == 4);
}
