#include <catch2/catch.hpp>

#include <mutex>

#include "bot_phrases.hpp"
#include "bot_pipeline.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/status.hpp"

using namespace botfactory::channel;
namespace commonv1 = botfactory::common::v1;

namespace {

struct FakeBots : BotDirectory {
  bool fail = false;
  std::string language = "en";
  int calls = 0;
  BotProfile get_bot(const std::string& tenant_id, const std::string& bot_id) override {
    ++calls;
    if (fail) throw botfactory::rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "registry down");
    BotProfile b;
    b.id = bot_id;
    b.tenant_id = tenant_id;
    b.name = "Helper";
    b.language = language;
    b.instructions = "Be brief.";
    b.provider = "extractive";
    return b;
  }
};

struct FakeQuota : QuotaGate {
  bool granted = true;
  bool fail = false;
  int calls = 0;
  bool consume_bot_reply(const std::string&) override {
    ++calls;
    if (fail) throw botfactory::rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "billing down");
    return granted;
  }
};

struct FakeGenerator : ReplyGenerator {
  std::vector<std::string> deltas{"Hel", "lo"};
  std::string final_text = "Hello";
  bool fail = false;
  int calls = 0;
  GenerateInput last;
  std::string generate(const GenerateInput& input,
                       const std::function<void(std::string_view)>& on_delta) override {
    ++calls;
    last = input;
    for (const auto& d : deltas) on_delta(d);
    if (fail) throw botfactory::rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "ai down");
    return final_text;
  }
};

struct FakeChat : ChatOps {
  std::vector<Turn> history{{commonv1::SENDER_KIND_BOT, "Hi!"}};
  std::vector<BotMessage> posted;
  std::vector<std::pair<std::int64_t, std::string>> deltas;
  std::int64_t asked_before_seq = -1;
  int asked_turns = -1;
  bool fail_post = false;
  std::vector<Turn> recent_turns(const std::string&, std::int64_t before_seq,
                                 int max_turns) override {
    asked_before_seq = before_seq;
    asked_turns = max_turns;
    return history;
  }
  std::int64_t post_bot_message(const BotMessage& message) override {
    if (fail_post) throw std::runtime_error("database down");
    posted.push_back(message);
    return 3;
  }
  void publish_delta(const std::string&, std::int64_t reply_to_seq, std::string_view delta) override {
    deltas.emplace_back(reply_to_seq, std::string(delta));
  }
};

struct FakeRate : ReplyRateGate {
  Verdict verdict = Verdict::kAllowed;
  int calls = 0;
  Verdict admit_reply(const std::string&, const std::string&) override {
    ++calls;
    return verdict;
  }
};

struct Fixture {
  FakeBots bots;
  FakeQuota quota;
  FakeGenerator generator;
  FakeChat chat;
  FakeRate rate;
  botfactory::metrics::Registry registry;
  BotPipeline pipeline{bots, quota, generator, chat, rate, registry};
  VisitorMessage visitor{"tenant-1", "bot-1", "conv-1", "msg-1", 2, "What are your hours?"};
};

}  // namespace

TEST_CASE("pipeline streams deltas and posts the reply as the bot") {
  Fixture f;
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  REQUIRE(f.chat.posted.size() == 1);
  const auto& reply = f.chat.posted[0];
  CHECK(reply.conversation_id == "conv-1");
  CHECK(reply.client_id == "bot-reply-msg-1");
  CHECK(reply.bot_id == "bot-1");
  CHECK(reply.bot_name == "Helper");
  CHECK(reply.text == "Hello");
  REQUIRE(f.chat.deltas.size() == 2);
  CHECK(f.chat.deltas[0] == std::make_pair<std::int64_t, std::string>(2, "Hel"));
  CHECK(f.chat.deltas[1].second == "lo");
  CHECK(f.chat.asked_before_seq == 2);
  CHECK(f.chat.asked_turns == 10);
  CHECK(f.generator.last.user_text == "What are your hours?");
  CHECK(f.generator.last.language == "en");
  CHECK(f.generator.last.instructions == "Be brief.");
  CHECK(f.generator.last.provider == "extractive");
  REQUIRE(f.generator.last.history.size() == 1);
  CHECK(f.generator.last.history[0].sender == commonv1::SENDER_KIND_BOT);
  CHECK(f.registry.render().find(R"(chat_pipeline_runs_total{outcome="replied"} 1)") !=
        std::string::npos);
}

TEST_CASE("pipeline posts the quota notice in the bot's language without generating") {
  Fixture f;
  f.bots.language = "ru";
  f.quota.granted = false;
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kQuotaExhausted);
  CHECK(f.generator.calls == 0);
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.posted[0].text == quota_exhausted_text("ru"));
  CHECK(f.chat.posted[0].client_id == "bot-reply-msg-1");
}

TEST_CASE("a bot over its reply rate posts the busy notice once, then nothing, and never generates") {
  Fixture f;
  f.bots.language = "uz";
  f.rate.verdict = ReplyRateGate::Verdict::kBusyNotice;
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kBusy);
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.posted[0].text == busy_text("uz"));
  CHECK(f.chat.posted[0].client_id == "bot-reply-msg-1");
  CHECK(f.quota.calls == 0);  // the monthly quota is not touched
  CHECK(f.generator.calls == 0);

  f.rate.verdict = ReplyRateGate::Verdict::kSilent;
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kSkipped);
  CHECK(f.chat.posted.size() == 1);
  CHECK(f.bots.calls == 1);  // a silent skip costs no registry call either
  CHECK(f.quota.calls == 0);
  CHECK(f.generator.calls == 0);
  CHECK(f.rate.calls == 2);
  CHECK(f.registry.render().find(R"(chat_pipeline_runs_total{outcome="skipped"} 1)") !=
        std::string::npos);
}

TEST_CASE("pipeline apologizes when a dependency fails") {
  SECTION("ai-proxy fails mid-stream") {
    Fixture f;
    f.bots.language = "uz";
    f.generator.fail = true;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kApologized);
    REQUIRE(f.chat.posted.size() == 1);
    CHECK(f.chat.posted[0].text == apology_text("uz"));
  }
  SECTION("registry fails: English apology from the conversation's bot id") {
    Fixture f;
    f.bots.fail = true;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kApologized);
    CHECK(f.quota.calls == 0);
    REQUIRE(f.chat.posted.size() == 1);
    CHECK(f.chat.posted[0].text == apology_text("en"));
    CHECK(f.chat.posted[0].bot_id == "bot-1");
    CHECK_FALSE(f.chat.posted[0].bot_name.empty());
  }
  SECTION("subscription fails") {
    Fixture f;
    f.quota.fail = true;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kApologized);
    CHECK(f.generator.calls == 0);
    REQUIRE(f.chat.posted.size() == 1);
  }
  SECTION("blank final reply") {
    Fixture f;
    f.generator.final_text = "  \n ";
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kApologized);
    REQUIRE(f.chat.posted.size() == 1);
    CHECK(f.chat.posted[0].text == apology_text("en"));
  }
}

TEST_CASE("pipeline trims and caps a long reply and never throws when posting fails") {
  Fixture f;
  f.generator.final_text = "  " + std::string(5000, 'a') + "  ";
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.posted[0].text == std::string(4000, 'a'));

  Fixture g;
  g.chat.fail_post = true;
  CHECK(g.pipeline.run(g.visitor) == BotPipeline::Outcome::kNotPosted);
}
