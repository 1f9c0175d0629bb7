// Per-visitor, per-bot and answer-feedback rates over an in-memory counter (no Redis): limits,
// busy notice once per window, fail open.

#include <catch2/catch.hpp>

#include <map>

#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/chat_rate_limits.hpp"

using namespace botfactory::channel;
using Verdict = ReplyRateGate::Verdict;

namespace {

/// Counts per key for ever (one window); `down` = Redis unreachable.
struct FakeCounter : HitCounter {
  std::map<std::string, std::int64_t> counts;
  bool down = false;
  std::optional<botfactory::redis::WindowCount> hit(std::string_view key,
                                                    std::chrono::milliseconds window) override {
    if (down) return std::nullopt;
    return botfactory::redis::WindowCount{++counts[std::string(key)], window / 2};
  }
};

}  // namespace

TEST_CASE("a visitor over VISITOR_MESSAGES_PER_MIN gets RESOURCE_EXHAUSTED rate_limited") {
  FakeCounter counter;
  botfactory::metrics::Registry registry;
  ChatRateLimits limits(counter, ChatRateSettings{3, 30, "t:"}, registry);
  for (int i = 0; i < 3; ++i) CHECK_NOTHROW(limits.admit_visitor_message("conv-1"));
  try {
    limits.admit_visitor_message("conv-1");
    FAIL("the fourth message was admitted");
  } catch (const botfactory::rpc::StatusError& e) {
    CHECK(e.code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(botfactory::rpc::is_rate_limited(e.status()));
    CHECK(std::string(e.what()).find("retry in 30 s") != std::string::npos);
  }
  CHECK_NOTHROW(limits.admit_visitor_message("conv-2"));  // another conversation has its own
  CHECK(counter.counts.count("t:rl:visitor:conv-1") == 1);
  CHECK(registry.render().find(R"(chat_rate_limited_total{rate="visitor"} 1)") !=
        std::string::npos);
}

TEST_CASE("a quota exhaustion is not a rate limit") {
  grpc::Status quota(grpc::StatusCode::RESOURCE_EXHAUSTED, "quota exceeded");
  CHECK_FALSE(botfactory::rpc::is_rate_limited(quota));
}

TEST_CASE("a bot over BOT_REPLIES_PER_MIN: busy notice once per conversation, then silence") {
  FakeCounter counter;
  botfactory::metrics::Registry registry;
  ChatRateLimits limits(counter, ChatRateSettings{10, 2, "t:"}, registry);
  CHECK(limits.admit_reply("bot-1", "conv-1") == Verdict::kAllowed);
  CHECK(limits.admit_reply("bot-1", "conv-2") == Verdict::kAllowed);
  CHECK(limits.admit_reply("bot-1", "conv-1") == Verdict::kBusyNotice);
  CHECK(limits.admit_reply("bot-1", "conv-1") == Verdict::kSilent);
  CHECK(limits.admit_reply("bot-1", "conv-2") == Verdict::kBusyNotice);
  CHECK(limits.admit_reply("bot-1", "conv-2") == Verdict::kSilent);
  CHECK(limits.admit_reply("bot-2", "conv-3") == Verdict::kAllowed);  // per bot
}

TEST_CASE("rates fail open when Redis cannot count, and 0 turns a rate off") {
  FakeCounter counter;
  counter.down = true;
  botfactory::metrics::Registry registry;
  ChatRateLimits limits(counter, ChatRateSettings{1, 1, "t:"}, registry);
  for (int i = 0; i < 5; ++i) {
    CHECK_NOTHROW(limits.admit_visitor_message("conv-1"));
    CHECK(limits.admit_reply("bot-1", "conv-1") == Verdict::kAllowed);
  }
  CHECK(registry.render().find("chat_rate_limit_unavailable_total 10") != std::string::npos);

  FakeCounter up;
  ChatRateLimits off(up, ChatRateSettings{0, 0, "t:"}, registry);
  for (int i = 0; i < 5; ++i) {
    CHECK_NOTHROW(off.admit_visitor_message("conv-1"));
    CHECK(off.admit_reply("bot-1", "conv-1") == Verdict::kAllowed);
  }
  CHECK(up.counts.empty());
}

TEST_CASE("answer-feedback writes over FEEDBACK_WRITES_PER_MIN: rate_limited per conversation; "
          "0 = off; fail open") {
  FakeCounter counter;
  botfactory::metrics::Registry registry;
  ChatRateLimits limits(counter, ChatRateSettings{10, 30, "t:", 2}, registry);
  CHECK_NOTHROW(limits.admit_feedback_write("conv-1"));
  CHECK_NOTHROW(limits.admit_feedback_write("conv-1"));
  try {
    limits.admit_feedback_write("conv-1");
    FAIL("the third write was admitted");
  } catch (const botfactory::rpc::StatusError& e) {
    CHECK(e.code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(botfactory::rpc::is_rate_limited(e.status()));
    CHECK(std::string(e.what()).find("retry in 30 s") != std::string::npos);
  }
  CHECK_NOTHROW(limits.admit_feedback_write("conv-2"));
  CHECK(counter.counts.at("t:rl:feedback:conv-1") == 3);
  CHECK(counter.counts.count("t:rl:visitor:conv-1") == 0);  // its own budget
  CHECK(registry.render().find(R"(chat_rate_limited_total{rate="feedback"} 1)") !=
        std::string::npos);

  FakeCounter up;
  ChatRateLimits off(up, ChatRateSettings{10, 30, "t:", 0}, registry);
  for (int i = 0; i < 5; ++i) CHECK_NOTHROW(off.admit_feedback_write("conv-1"));
  CHECK(up.counts.empty());

  FakeCounter down;
  down.down = true;
  ChatRateLimits open(down, ChatRateSettings{10, 30, "t:", 1}, registry);
  for (int i = 0; i < 3; ++i) CHECK_NOTHROW(open.admit_feedback_write("conv-1"));
}
