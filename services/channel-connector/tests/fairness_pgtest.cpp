// Abuse tests of the bot pipeline on real PostgreSQL, Redis and gRPC with in-test bot-registry,
// subscription and ai-proxy: one tenant's flood does not hold back another tenant's reply, and
// the per-visitor and per-bot rates hold. Assertions are on ordering and counts, never on time.

#include <catch2/catch.hpp>

#include "pipeline/bot_phrases.hpp"
#include "botfactory/rpc/status.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;
using botfactory::channel::ChannelSettings;

namespace {

/// Bot messages of the conversation.
std::vector<chatv1::Message> bot_messages(Harness& h, const std::string& conversation_id) {
  std::vector<chatv1::Message> out;
  for (auto& m : h.messages(conversation_id)) {
    if (m.sender().kind() == commonv1::SENDER_KIND_BOT) out.push_back(std::move(m));
  }
  return out;
}

bool metric_is(Harness& h, const std::string& line) {
  return h.metrics.render().find(line + "\n") != std::string::npos;
}

grpc::Status post_visitor(Harness& h, const std::string& conversation_id, const std::string& client_id) {
  chatv1::PostMessageResponse response;
  return h.post(conversation_id, client_id, commonv1::SENDER_KIND_VISITOR, "question " + client_id,
                &response);
}

}  // namespace

TEST_CASE("a flood of one tenant's widget messages does not hold back another tenant's reply") {
  // 2 workers, each tenant at most 1 running reply and 100 waiting; rates off so that the whole
  // flood reaches the pipeline.
  Harness h([](ChannelSettings& s) {
    s.pipeline_threads = 2;
    s.pipeline_tenant_max_running = 1;
    s.pipeline_tenant_queue_capacity = 100;
    s.pipeline_queue_capacity = 1000;
    s.visitor_messages_per_min = 0;
    s.bot_replies_per_min = 0;
  });
  std::string tenant_a = random_uuid();
  std::string tenant_b = random_uuid();
  auto bot_a = h.registry.add_bot(tenant_a, "Flooded", "en", "");
  auto bot_b = h.registry.add_bot(tenant_b, "Quiet", "en", "");
  // Tenant A's model calls hang until released: its replies occupy workers for as long as we like.
  h.ai.hold(tenant_a);

  std::vector<std::string> a_conversations;
  for (int c = 0; c < 3; ++c) a_conversations.push_back(h.create_conversation(tenant_a, bot_a.id()).id());
  REQUIRE(post_visitor(h, a_conversations[0], "a-first").ok());
  REQUIRE(wait_until([&] { return h.ai.calls_of(tenant_a) == 1; }));  // one A reply running
  // 149 more: 100 wait in A's queue, 49 find it full.
  for (int i = 0; i < 149; ++i) {
    REQUIRE(post_visitor(h, a_conversations[i % 3], "a-" + std::to_string(i)).ok());
  }
  CHECK(metric_is(h, R"(chat_pipeline_dropped_total{reason="tenant_queue_full"} 49)"));
  CHECK(metric_is(h, "chat_pipeline_queue_depth 100"));

  // Tenant B's visitor asks while all of A's flood waits: B is answered first.
  auto conversation_b = h.create_conversation(tenant_b, bot_b.id());
  REQUIRE(post_visitor(h, conversation_b.id(), "b-1").ok());
  REQUIRE(wait_until([&] { return bot_messages(h, conversation_b.id()).size() == 1; }));
  CHECK(bot_messages(h, conversation_b.id())[0].text() == "Hello, world");
  CHECK(h.ai.calls_of(tenant_a) == 1);  // not one more of A's 100 waiting replies started
  std::size_t a_replies = 0;
  for (const auto& id : a_conversations) a_replies += bot_messages(h, id).size();
  CHECK(a_replies == 0);

  // Released, A's accepted messages are all answered: the first and the 100 that waited.
  h.ai.release();
  REQUIRE(wait_until(
      [&] {
        std::size_t n = 0;
        for (const auto& id : a_conversations) n += bot_messages(h, id).size();
        return n == 101;
      },
      std::chrono::seconds(60)));
  CHECK(h.ai.calls_of(tenant_a) == 101);
  CHECK(h.ai.calls_of(tenant_b) == 1);
  CHECK(metric_is(h, R"(chat_pipeline_runs_total{outcome="replied"} 102)"));
}

TEST_CASE("a visitor over VISITOR_MESSAGES_PER_MIN is refused rate_limited and nothing is stored") {
  Harness h([](ChannelSettings& s) { s.visitor_messages_per_min = 3; });
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  for (int i = 0; i < 3; ++i) {
    REQUIRE(post_visitor(h, conversation.id(), "v-" + std::to_string(i)).ok());
  }
  auto refused = post_visitor(h, conversation.id(), "v-3");
  CHECK(refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(botfactory::rpc::is_rate_limited(refused));
  CHECK(refused.error_message().find("retry in") != std::string::npos);

  // Operators are not limited; a resent visitor message is still answered as a duplicate.
  chatv1::PostMessageResponse response;
  REQUIRE(h.post(conversation.id(), "o-1", commonv1::SENDER_KIND_OPERATOR, "Hello", &response).ok());
  REQUIRE(h.post(conversation.id(), "v-0", commonv1::SENDER_KIND_VISITOR, "question v-0", &response)
              .ok());
  CHECK(response.duplicate());

  // Every reply is in; the refused message never was stored nor answered.
  REQUIRE(wait_until([&] { return bot_messages(h, conversation.id()).size() == 3; }));
  for (const auto& m : h.messages(conversation.id())) CHECK(m.client_id() != "v-3");
  CHECK(h.ai.calls == 3);
  CHECK(metric_is(h, R"(chat_rate_limited_total{rate="visitor"} 1)"));
}

TEST_CASE("a bot over BOT_REPLIES_PER_MIN says busy once per conversation and spares the quota") {
  Harness h([](ChannelSettings& s) {
    s.bot_replies_per_min = 2;
    s.pipeline_tenant_max_running = 1;  // one tenant's replies in order
  });
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Помощник", "ru", "");
  auto first = h.create_conversation(tenant, bot.id());
  auto second = h.create_conversation(tenant, bot.id());
  for (int i = 0; i < 4; ++i) REQUIRE(post_visitor(h, first.id(), "v-" + std::to_string(i)).ok());
  REQUIRE(wait_until([&] { return metric_is(h, R"(chat_pipeline_runs_total{outcome="skipped"} 1)"); }));
  REQUIRE(post_visitor(h, second.id(), "w-0").ok());
  REQUIRE(post_visitor(h, second.id(), "w-1").ok());
  REQUIRE(wait_until([&] { return metric_is(h, R"(chat_pipeline_runs_total{outcome="skipped"} 2)"); }));

  auto replies = bot_messages(h, first.id());
  REQUIRE(replies.size() == 3);  // 2 model replies, 1 busy notice, then silence
  CHECK(replies[0].text() == "Hello, world");
  CHECK(replies[1].text() == "Hello, world");
  CHECK(replies[2].text() == botfactory::channel::busy_text("ru"));
  auto other = bot_messages(h, second.id());
  REQUIRE(other.size() == 1);
  CHECK(other[0].text() == botfactory::channel::busy_text("ru"));
  CHECK(h.messages(first.id()).size() == 7);  // every visitor message is stored
  CHECK(h.ai.calls == 2);
  CHECK(h.subscription.calls == 2);  // the monthly quota was consumed only for real replies
  CHECK(metric_is(h, R"(chat_pipeline_runs_total{outcome="busy"} 2)"));
}

TEST_CASE("the rates fail open when Redis is unreachable") {
  Harness h([](ChannelSettings& s) {
    s.redis_port = 1;  // nothing listens: every count fails, every publish fails
    s.visitor_messages_per_min = 1;
    s.bot_replies_per_min = 1;
  });
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  for (int i = 0; i < 3; ++i) {
    REQUIRE(post_visitor(h, conversation.id(), "v-" + std::to_string(i)).ok());
  }
  REQUIRE(wait_until([&] { return bot_messages(h, conversation.id()).size() == 3; }));
  CHECK(h.ai.calls == 3);
  CHECK(h.metrics.render().find("chat_rate_limit_unavailable_total 6\n") != std::string::npos);
}
