#include <catch2/catch.hpp>

#include <mutex>

#include "pipeline/bot_phrases.hpp"
#include "pipeline/bot_pipeline.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/status.hpp"

using namespace botfactory::channel;
namespace commonv1 = botfactory::common::v1;

namespace {

struct FakeBots : BotDirectory {
  bool fail = false;
  std::string language = "en";
  std::string provider = "extractive";
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
    b.provider = provider;
    b.model = provider == "extractive" ? "" : "gpt-test";
    return b;
  }
};

struct FakeQuota : QuotaGate {
  bool granted = true;
  bool fail = false;
  int calls = 0;
  std::int64_t tokens_used = 0;
  std::int64_t tokens_limit = 0;
  QuotaGrant consume_bot_reply(const std::string&) override {
    ++calls;
    if (fail) throw botfactory::rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "billing down");
    return QuotaGrant{granted, tokens_used, tokens_limit};
  }
};

/// Advanced by the fake model between deltas (the coalescer reads it).
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::seconds(1000)};
};

struct FakeGenerator : ReplyGenerator {
  std::vector<std::string> deltas{"Hel", "lo"};
  GeneratedReply reply{"Hello", {}, "extractive", "", 0, 0, ""};
  /// Time between two deltas, on the fake clock.
  std::chrono::milliseconds delta_gap{100};
  FakeClock* clock = nullptr;
  bool fail = false;
  grpc::StatusCode fail_code = grpc::StatusCode::UNAVAILABLE;
  int calls = 0;
  GenerateInput last;
  /// Deltas handed to on_delta; whether on_delta threw (the real generator then cancels the
  /// call with grpc::ClientContext::TryCancel).
  std::size_t delivered = 0;
  bool cancelled = false;
  GeneratedReply generate(const GenerateInput& input,
                          const std::function<void(std::string_view)>& on_delta) override {
    ++calls;
    last = input;
    for (const auto& d : deltas) {
      ++delivered;
      try {
        on_delta(d);
      } catch (...) {
        cancelled = true;
        throw;
      }
      if (clock) clock->now += delta_gap;
    }
    if (fail) {
      if (fail_code == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        botfactory::rpc::throw_retry_later(fail_code, "provider rate limited", 20);
      }
      throw botfactory::rpc::StatusError(fail_code, "ai down");
    }
    return reply;
  }
};

struct FakeMeter : TokenMeter {
  std::vector<TokenUsageRecord> recorded;
  bool duplicate = false;
  bool fail = false;
  grpc::StatusCode fail_code = grpc::StatusCode::UNIMPLEMENTED;
  bool record_token_usage(const TokenUsageRecord& usage) override {
    recorded.push_back(usage);
    if (fail) throw botfactory::rpc::StatusError(fail_code, "no such method");
    return duplicate;
  }
};

struct FakeChat : ChatOps {
  std::vector<Turn> history{{commonv1::SENDER_KIND_BOT, "Hi!"}};
  std::vector<Turn> own_history{{commonv1::SENDER_KIND_OPERATOR, "/ai what is the refund window?"},
                                {commonv1::SENDER_KIND_OPERATOR, "/ai"},
                                {commonv1::SENDER_KIND_OPERATOR, "Customer asks about refunds"}};
  std::vector<BotMessage> posted;
  std::vector<std::pair<std::int64_t, std::string>> deltas;
  std::int64_t asked_before_seq = -1;
  int asked_turns = -1;
  int recent_calls = 0;
  int participant_calls = 0;
  commonv1::SenderKind asked_kind = commonv1::SENDER_KIND_UNSPECIFIED;
  std::string asked_sender;
  bool fail_post = false;
  bool human = false;  // an operator took the conversation over
  bool human_handles(const std::string&) override { return human; }
  std::vector<Turn> recent_turns(const std::string&, std::int64_t before_seq,
                                 int max_turns) override {
    ++recent_calls;
    asked_before_seq = before_seq;
    asked_turns = max_turns;
    return history;
  }
  std::vector<Turn> participant_turns(const std::string&, std::int64_t before_seq,
                                      commonv1::SenderKind kind, const std::string& sender_id,
                                      int max_turns) override {
    ++participant_calls;
    asked_before_seq = before_seq;
    asked_turns = max_turns;
    asked_kind = kind;
    asked_sender = sender_id;
    return own_history;
  }
  /// deltas.size() when each bot message was posted.
  std::vector<std::size_t> deltas_before_post;
  std::int64_t post_bot_message(const BotMessage& message) override {
    if (fail_post) throw std::runtime_error("database down");
    deltas_before_post.push_back(deltas.size());
    posted.push_back(message);
    return 3;
  }
  std::vector<std::string> typing;  // bot names that started typing
  void publish_typing(const std::string&, const std::string&, const std::string& bot_name) override {
    typing.push_back(bot_name);
  }
  int typing_stops = 0;
  void publish_typing_stop(const std::string&, const std::string&, const std::string&) override {
    ++typing_stops;
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

PipelineSettings settings_with(FakeClock& clock) {
  PipelineSettings settings;
  settings.deltas = CoalesceSettings{std::chrono::milliseconds(50), 1024};
  settings.clock = [&clock] { return clock.now; };
  return settings;
}

struct Fixture {
  FakeClock clock;
  FakeBots bots;
  FakeQuota quota;
  FakeGenerator generator;
  FakeChat chat;
  FakeRate rate;
  FakeMeter meter;
  botfactory::metrics::Registry registry;
  BotPipeline pipeline{bots, quota, generator, chat, rate, meter, registry, settings_with(clock)};
  VisitorMessage visitor{"tenant-1", "bot-1", "conv-1", "msg-1", 2, "What are your hours?",
                         commonv1::SENDER_KIND_VISITOR, "visitor-1", ""};
  Fixture() { generator.clock = &clock; }

  bool metric(const std::string& line) {
    return registry.render().find(line) != std::string::npos;
  }
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
  CHECK(f.chat.typing == std::vector<std::string>{"Helper"});  // the bot typed while generating
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
  CHECK(f.chat.typing.empty());  // no model reply, no typing
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
    f.generator.reply.text = "  \n ";
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kApologized);
    REQUIRE(f.chat.posted.size() == 1);
    CHECK(f.chat.posted[0].text == apology_text("en"));
  }
}

TEST_CASE("pipeline trims and caps a long reply and never throws when posting fails") {
  Fixture f;
  f.generator.reply.text = "  " + std::string(5000, 'a') + "  ";
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.posted[0].text == std::string(4000, 'a'));

  Fixture g;
  g.chat.fail_post = true;
  CHECK(g.pipeline.run(g.visitor) == BotPipeline::Outcome::kNotPosted);
}

TEST_CASE("the reply keeps its sources and its token usage is recorded under the reply's client id") {
  Fixture f;
  f.generator.reply = GeneratedReply{"Open 9-17 [1], closed Sundays [2].",
                                     {{"d1", "Hours", "c1"}, {"d2", "Holidays", "c9"}},
                                     "gemini",
                                     "gemini-2.0-flash",
                                     120,
                                     30,
                                     ""};
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  REQUIRE(f.chat.posted.size() == 1);
  const auto& sources = f.chat.posted[0].sources;
  REQUIRE(sources.size() == 2);
  CHECK(sources[0].document_id == "d1");
  CHECK(sources[0].document_title == "Hours");
  CHECK(sources[1].chunk_id == "c9");
  REQUIRE(f.meter.recorded.size() == 1);
  const auto& usage = f.meter.recorded[0];
  CHECK(usage.tenant_id == "tenant-1");
  CHECK(usage.bot_id == "bot-1");
  CHECK(usage.reply_id == "bot-reply-msg-1");
  CHECK(usage.provider == "gemini");
  CHECK(usage.model == "gemini-2.0-flash");
  CHECK(usage.prompt_tokens == 120);
  CHECK(usage.completion_tokens == 30);
  CHECK(f.metric(R"(chat_token_usage_records_total{result="recorded"} 1)"));
}

TEST_CASE("a reply without usage records nothing; a failed reply has no sources") {
  Fixture f;
  f.generator.reply.sources = {{"d1", "Hours", "c1"}};
  f.generator.reply.text = " ";
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kApologized);
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.posted[0].sources.empty());
  CHECK(f.meter.recorded.empty());
}

TEST_CASE("token recording failures never change the reply and are counted by kind") {
  SECTION("subscription without RecordTokenUsage (UNIMPLEMENTED)") {
    Fixture f;
    f.generator.reply.completion_tokens = 5;
    f.meter.fail = true;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
    CHECK(f.chat.posted.at(0).text == "Hello");
    CHECK(f.metric(R"(chat_token_usage_records_total{result="unimplemented"} 1)"));
    CHECK(f.metric(R"(chat_token_usage_records_total{result="failed"} 0)"));
  }
  SECTION("subscription down") {
    Fixture f;
    f.generator.reply.prompt_tokens = 5;
    f.meter.fail = true;
    f.meter.fail_code = grpc::StatusCode::UNAVAILABLE;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
    CHECK(f.metric(R"(chat_token_usage_records_total{result="failed"} 1)"));
  }
  SECTION("already recorded") {
    Fixture f;
    f.generator.reply.prompt_tokens = 5;
    f.meter.duplicate = true;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
    CHECK(f.metric(R"(chat_token_usage_records_total{result="duplicate"} 1)"));
  }
  SECTION("the message could not be stored: the spent tokens are still recorded") {
    Fixture f;
    f.generator.reply.prompt_tokens = 5;
    f.chat.fail_post = true;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kNotPosted);
    CHECK(f.meter.recorded.size() == 1);
  }
}

TEST_CASE("the provider's rate limit gets the polite busy notice, other failures the apology") {
  SECTION("RESOURCE_EXHAUSTED with a retry hint") {
    Fixture f;
    f.bots.language = "ru";
    f.generator.fail = true;
    f.generator.fail_code = grpc::StatusCode::RESOURCE_EXHAUSTED;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kProviderBusy);
    REQUIRE(f.chat.posted.size() == 1);
    CHECK(f.chat.posted[0].text == provider_busy_text("ru"));
    CHECK(f.chat.posted[0].client_id == "bot-reply-msg-1");
    CHECK(f.metric(R"(chat_pipeline_runs_total{outcome="provider_busy"} 1)"));
    CHECK(f.metric(R"(chat_pipeline_runs_total{outcome="apologized"} 0)"));
  }
  SECTION("FAILED_PRECONDITION (provider refused the key)") {
    Fixture f;
    f.generator.fail = true;
    f.generator.fail_code = grpc::StatusCode::FAILED_PRECONDITION;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kApologized);
    CHECK(f.chat.posted.at(0).text == apology_text("en"));
  }
  SECTION("DEADLINE_EXCEEDED (provider down)") {
    Fixture f;
    f.generator.fail = true;
    f.generator.fail_code = grpc::StatusCode::DEADLINE_EXCEEDED;
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kApologized);
  }
  CHECK(provider_busy_text("en") != apology_text("en"));
  CHECK(provider_busy_text("uz") != provider_busy_text("en"));
}

TEST_CASE("a used-up token allowance asks ai-proxy for tokens_exhausted") {
  Fixture f;
  SECTION("no allowance known") {
    f.quota.tokens_limit = 0;
    f.quota.tokens_used = 500;
    f.pipeline.run(f.visitor);
    CHECK_FALSE(f.generator.last.tokens_exhausted);
  }
  SECTION("below the allowance") {
    f.quota.tokens_limit = 1000;
    f.quota.tokens_used = 999;
    f.pipeline.run(f.visitor);
    CHECK_FALSE(f.generator.last.tokens_exhausted);
  }
  SECTION("at the allowance") {
    f.quota.tokens_limit = 1000;
    f.quota.tokens_used = 1000;
    f.pipeline.run(f.visitor);
    CHECK(f.generator.last.tokens_exhausted);
    CHECK(f.metric("chat_pipeline_tokens_exhausted_total 1"));
  }
}

TEST_CASE("fallback reasons of the final reply are counted") {
  Fixture f;
  f.generator.reply.fallback_reason = "no_key";
  f.pipeline.run(f.visitor);
  f.generator.reply.fallback_reason = "something_new";
  f.pipeline.run(f.visitor);
  CHECK(f.metric(R"(chat_pipeline_fallbacks_total{reason="no_key"} 1)"));
  CHECK(f.metric(R"(chat_pipeline_fallbacks_total{reason="other"} 1)"));
}

TEST_CASE("a fast model's deltas are coalesced, all flushed before the final message") {
  Fixture f;
  f.generator.deltas.clear();
  std::string all;
  for (int i = 0; i < 100; ++i) {
    std::string word = std::to_string(i);
    word.insert(0, 1, 'w');
    word += ' ';
    f.generator.deltas.push_back(word);
    all += f.generator.deltas.back();
  }
  f.generator.delta_gap = std::chrono::milliseconds(2);  // 100 deltas in 200 ms
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  std::string published;
  for (const auto& [seq, text] : f.chat.deltas) {
    CHECK(seq == 2);
    published += text;
  }
  CHECK(published == all);
  CHECK(f.chat.deltas.size() <= 6);  // the first at once, then one per 50 ms, the rest at the end
  REQUIRE(f.chat.deltas_before_post.size() == 1);
  CHECK(f.chat.deltas_before_post[0] == f.chat.deltas.size());
  CHECK(f.metric("chat_pipeline_deltas_received_total 100"));
}

TEST_CASE("what streamed before a failure is flushed before the apology") {
  Fixture f;
  f.generator.deltas = {"a", "b", "c"};
  f.generator.delta_gap = std::chrono::milliseconds(1);
  f.generator.fail = true;
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kApologized);
  REQUIRE(f.chat.deltas.size() == 2);
  CHECK(f.chat.deltas[0].second == "a");
  CHECK(f.chat.deltas[1].second == "bc");
  CHECK(f.chat.deltas_before_post.at(0) == 2);
}

TEST_CASE("/ai from an operator: answered with the operator's own earlier messages as context") {
  Fixture f;
  f.visitor.sender_kind = commonv1::SENDER_KIND_OPERATOR;
  f.visitor.sender_id = "user-7";
  f.visitor.text = "/AI  How long is the refund window? ";
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  CHECK(f.chat.recent_calls == 0);
  CHECK(f.chat.participant_calls == 1);
  CHECK(f.chat.asked_kind == commonv1::SENDER_KIND_OPERATOR);
  CHECK(f.chat.asked_sender == "user-7");
  CHECK(f.chat.asked_before_seq == 2);
  CHECK(f.chat.asked_turns == 10);
  CHECK(f.generator.last.user_text == "How long is the refund window?");
  // Earlier commands become their questions; a bare "/ai" is left out.
  REQUIRE(f.generator.last.history.size() == 2);
  CHECK(f.generator.last.history[0].text == "what is the refund window?");
  CHECK(f.generator.last.history[1].text == "Customer asks about refunds");
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.posted[0].client_id == "bot-ai-msg-1");
  CHECK(f.quota.calls == 1);
  CHECK(f.rate.calls == 1);
  CHECK(f.metric("chat_pipeline_ai_commands_total 1"));
}

TEST_CASE("/ai from a visitor replaces the ordinary reply") {
  Fixture f;
  f.visitor.sender_id = "visitor-9";
  f.visitor.text = "/ai what are your hours?";
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  CHECK(f.chat.asked_kind == commonv1::SENDER_KIND_VISITOR);
  CHECK(f.chat.asked_sender == "visitor-9");
  CHECK(f.generator.calls == 1);
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.posted[0].client_id == "bot-ai-msg-1");
}

TEST_CASE("a bare /ai gets the usage hint in the bot's language, without rate, quota or model") {
  Fixture f;
  f.bots.language = "uz";
  f.visitor.sender_kind = commonv1::SENDER_KIND_OPERATOR;
  f.visitor.text = "/ai";
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kAiUsage);
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.posted[0].text == ai_usage_text("uz"));
  CHECK(f.chat.posted[0].client_id == "bot-ai-msg-1");
  CHECK(f.chat.posted[0].bot_name == "Helper");
  CHECK(f.rate.calls == 0);
  CHECK(f.quota.calls == 0);
  CHECK(f.generator.calls == 0);
}

TEST_CASE("an operator's ordinary message is not answered") {
  Fixture f;
  f.visitor.sender_kind = commonv1::SENDER_KIND_OPERATOR;
  f.visitor.text = "I'll take it from here.";
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kSkipped);
  CHECK(f.chat.posted.empty());
  CHECK(f.bots.calls == 0);
}

TEST_CASE("a conversation an operator took over gets no bot reply, but /ai is still answered") {
  Fixture f;
  f.chat.human = true;
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kHumanHandles);
  CHECK(f.chat.posted.empty());
  CHECK(f.rate.calls == 0);
  CHECK(f.quota.calls == 0);
  CHECK(f.generator.calls == 0);
  CHECK(f.metric(R"(chat_pipeline_runs_total{outcome="human_handles"} 1)"));

  auto command = f.visitor;
  command.text = "/ai what are your hours?";
  CHECK(f.pipeline.run(command) == BotPipeline::Outcome::kReplied);
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.posted[0].client_id.rfind("bot-ai-", 0) == 0);

  f.chat.human = false;  // handed back: ordinary messages are answered again
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  CHECK(f.chat.posted.size() == 2);
}

namespace {

/// Presence as a function of the fake clock's time since the reply started.
struct FakePresence : VisitorPresenceProbe {
  FakeClock* clock = nullptr;
  std::chrono::steady_clock::time_point start{};
  std::function<std::optional<bool>(std::chrono::milliseconds)> at =
      [](std::chrono::milliseconds) { return std::optional<bool>(false); };
  int calls = 0;
  std::optional<bool> visitor_present(const std::string&) override {
    ++calls;
    return at(std::chrono::duration_cast<std::chrono::milliseconds>(clock->now - start));
  }
};

/// A widget conversation, a slow model (300 deltas, 100 ms apart: 30 s), presence read at most
/// every second with a 15 s grace.
struct CancelFixture : Fixture {
  FakePresence presence;
  CancelFixture() {
    bots.provider = "openai";
    generator.deltas.assign(300, "word ");
    generator.reply = GeneratedReply{std::string(1500, 'w'), {}, "openai", "gpt-test", 40, 375, ""};
    presence.clock = &clock;
    presence.start = clock.now;
    pipeline.set_visitor_presence(&presence, VisitorWatchSettings{std::chrono::milliseconds(15000),
                                                                  std::chrono::milliseconds(1000)});
    visitor.channel = "web";
  }
};

}  // namespace

TEST_CASE("a widget reply is cancelled once its visitor has been gone past the grace") {
  CancelFixture f;  // the visitor left right after asking
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kCancelled);
  CHECK(f.generator.cancelled);
  // Not before the grace (15 s = 150 deltas), and within grace + one check period + one delta.
  CHECK(f.generator.delivered >= 150);
  CHECK(f.generator.delivered <= 162);
  CHECK(f.generator.delivered < f.generator.deltas.size());
  // Presence was read at most once a second, not at every delta.
  CHECK(f.presence.calls <= 17);
  CHECK(f.chat.posted.empty());  // nothing stored: nobody reads it
  CHECK(f.chat.typing_stops == 1);
  // The tokens spent are metered as an estimate under the reply's client id.
  REQUIRE(f.meter.recorded.size() == 1);
  const auto& usage = f.meter.recorded[0];
  CHECK(usage.reply_id == "bot-reply-msg-1");
  CHECK(usage.provider == "openai");
  CHECK(usage.model == "gpt-test");
  CHECK(usage.completion_tokens ==
        static_cast<std::int64_t>((f.generator.delivered * 5 + 3) / 4));
  CHECK(usage.prompt_tokens > 0);
  CHECK(f.metric(R"(chat_pipeline_runs_total{outcome="cancelled"} 1)"));
  CHECK(f.metric("chat_pipeline_replies_cancelled_total 1"));
}

TEST_CASE("a visitor back within the grace (a page reload) keeps the reply") {
  CancelFixture f;
  // Gone from 2 s to 14 s (12 s), back, gone again from 20 s to 29 s: never 15 s in a row.
  f.presence.at = [](std::chrono::milliseconds t) {
    bool away = (t >= std::chrono::seconds(2) && t < std::chrono::seconds(14)) ||
                (t >= std::chrono::seconds(20) && t < std::chrono::seconds(29));
    return std::optional<bool>(!away);
  };
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  CHECK_FALSE(f.generator.cancelled);
  CHECK(f.generator.delivered == 300);
  REQUIRE(f.chat.posted.size() == 1);
  CHECK(f.chat.typing_stops == 0);
}

TEST_CASE("presence that cannot be read (Redis down) never cancels") {
  CancelFixture f;
  f.presence.at = [](std::chrono::milliseconds) { return std::optional<bool>(); };
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  CHECK_FALSE(f.generator.cancelled);
  CHECK(f.presence.calls > 0);
}

TEST_CASE("a channel conversation (telegram) is never cancelled for presence") {
  CancelFixture f;
  f.visitor.channel = "telegram";
  CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
  CHECK_FALSE(f.generator.cancelled);
  CHECK(f.presence.calls == 0);
  CHECK(f.chat.posted.size() == 1);
  SECTION("nor an operator's /ai in it") {
    f.visitor.sender_kind = commonv1::SENDER_KIND_OPERATOR;
    f.visitor.text = "/ai what are the hours?";
    f.visitor.message_id = "msg-2";
    CHECK(f.pipeline.run(f.visitor) == BotPipeline::Outcome::kReplied);
    CHECK(f.presence.calls == 0);
  }
}

TEST_CASE("a cancelled reply's token estimate: none without model tokens, else about 4 bytes a token") {
  GenerateInput input;
  input.tenant_id = "t";
  input.bot_id = "b";
  input.provider = "extractive";
  input.instructions = "12345678";
  input.user_text = "1234";
  input.history = {{commonv1::SENDER_KIND_VISITOR, "1"}};
  CHECK_FALSE(estimate_cancelled_usage(input, 100).has_value());
  input.provider = "gemini";
  input.model = "gemini-2.0-flash";
  auto usage = estimate_cancelled_usage(input, 9);
  REQUIRE(usage);
  CHECK(usage->prompt_tokens == 4);      // 13 bytes, rounded up
  CHECK(usage->completion_tokens == 3);  // 9 bytes, rounded up
  CHECK(usage->provider == "gemini");
  input.tokens_exhausted = true;  // ai-proxy answers with extractive then
  CHECK_FALSE(estimate_cancelled_usage(input, 9).has_value());
}
