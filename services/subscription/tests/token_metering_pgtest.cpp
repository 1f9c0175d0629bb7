// Model-token metering over real gRPC (port 0) and a fresh PostgreSQL database per test case:
// RecordTokenUsage (idempotent on reply_id, per bot and UTC day, never refused), the token
// allowance reported by GetSubscription and ConsumeQuota, ListDailyUsage.
#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <map>

#include "billing_fixture.hpp"

using namespace billing_test;

namespace {

constexpr const char* kBotA = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr const char* kBotB = "bbbbbbbb-0000-4000-8000-000000000002";
constexpr const char* kOtherTenant = "22222222-2222-4333-8444-555555555555";

/// The rows of a ListDailyUsage answer as "day bot" → {replies, prompt, completion}.
std::map<std::string, std::vector<std::int64_t>> rows_of(const v1::ListDailyUsageResponse& r) {
  std::map<std::string, std::vector<std::int64_t>> rows;
  for (const auto& d : r.days()) {
    rows[d.day() + " " + d.bot_id()] = {d.replies(), d.prompt_tokens(), d.completion_tokens()};
  }
  return rows;
}

}  // namespace

TEST_CASE("plans carry a monthly token allowance beside the reply count") {
  BillingFixture fx;
  v1::ListPlansRequest request;
  v1::ListPlansResponse response;
  REQUIRE(fx.call([&](grpc::ClientContext& c) { return fx.stub->ListPlans(&c, request, &response); }).ok());
  REQUIRE(response.plans_size() == 4);
  std::map<std::string, std::int64_t> allowance;
  for (const auto& p : response.plans()) allowance[p.code()] = p.limits().max_tokens_per_month();
  CHECK(allowance == std::map<std::string, std::int64_t>{{"trial", 200'000},
                                                         {"starter", 4'000'000},
                                                         {"pro", 20'000'000},
                                                         {"business", 200'000'000}});
  auto sub = fx.get();
  CHECK(sub.plan().limits().max_tokens_per_month() == 200'000);
  CHECK(sub.usage().model_tokens() == 0);
}

TEST_CASE("RecordTokenUsage adds a reply's tokens per bot and UTC day; a repeated reply_id adds nothing") {
  BillingFixture fx;
  fx.get();  // the tenant's trial

  auto first = fx.record(kBotA, "m-1", 100, 20);
  CHECK(first.tokens_used() == 120);
  CHECK(first.tokens_limit() == 200'000);
  CHECK_FALSE(first.duplicate());

  // A retry of the same reply (even with other numbers) is a duplicate: nothing added.
  auto again = fx.record(kBotA, "m-1", 999, 999);
  CHECK(again.duplicate());
  CHECK(again.tokens_used() == 120);
  CHECK(again.tokens_limit() == 200'000);

  CHECK(fx.record(kBotA, "m-2", 30, 7).tokens_used() == 157);
  CHECK(fx.record(kBotB, "m-3", 10, 5).tokens_used() == 172);

  auto sub = fx.get();
  CHECK(sub.usage().model_tokens() == 172);
  CHECK(sub.usage().bot_replies() == 0);  // replies are consumed by ConsumeQuota, not here

  // Late in the same UTC day, then just after midnight: a new day row.
  fx.now_us = kStart + 11 * 3600 * 1'000'000LL + 59 * 60 * 1'000'000LL;  // 23:59Z
  fx.record(kBotA, "m-4", 1, 1);
  fx.now_us = kStart + 12 * 3600 * 1'000'000LL;  // 2026-02-01T00:00Z
  fx.record(kBotA, "m-5", 2, 2);

  v1::ListDailyUsageResponse daily;
  REQUIRE(fx.daily(30, &daily).ok());
  CHECK(daily.last_day() == "2026-02-01");
  CHECK(daily.first_day() == "2026-01-03");
  CHECK(rows_of(daily) == std::map<std::string, std::vector<std::int64_t>>{
                              {std::string("2026-01-31 ") + kBotA, {3, 131, 28}},
                              {std::string("2026-01-31 ") + kBotB, {1, 10, 5}},
                              {std::string("2026-02-01 ") + kBotA, {1, 2, 2}}});
  REQUIRE(daily.days_size() == 3);
  CHECK(daily.days(0).day() == "2026-01-31");  // ordered by day, then bot
  CHECK(daily.days(0).bot_id() == kBotA);
  CHECK(daily.days(2).day() == "2026-02-01");

  // The reply id is scoped to the tenant: another tenant's reply with the same id counts, and
  // neither tenant sees the other's rows.
  fx.get(kOtherTenant);
  auto other = fx.record(kBotA, "m-1", 40, 2, kOtherTenant);
  CHECK_FALSE(other.duplicate());
  CHECK(other.tokens_used() == 42);
  v1::ListDailyUsageResponse other_daily;
  REQUIRE(fx.daily(30, &other_daily, kOtherTenant).ok());
  REQUIRE(other_daily.days_size() == 1);
  CHECK(other_daily.days(0).prompt_tokens() == 40);
  CHECK(fx.get().usage().model_tokens() == 172 + 2 + 4);
}

TEST_CASE("ConsumeQuota reports the token allowance; the allowance never refuses a recording") {
  BillingFixture fx;
  v1::ConsumeQuotaResponse grant;
  REQUIRE(fx.consume(1, &grant).ok());
  CHECK(grant.used() == 1);
  CHECK(grant.limit() == 100);
  CHECK(grant.tokens_used() == 0);
  CHECK(grant.tokens_limit() == 200'000);

  fx.record(kBotA, "r-1", 120, 30);
  REQUIRE(fx.consume(1, &grant).ok());
  CHECK(grant.used() == 2);
  CHECK(grant.tokens_used() == 150);
  CHECK(grant.tokens_limit() == 200'000);

  // RESOURCE_MODEL_TOKENS is consumed up to the allowance, then refused with nothing consumed.
  REQUIRE(fx.consume(199'800, &grant, kTenant, v1::RESOURCE_MODEL_TOKENS).ok());
  CHECK(grant.used() == 199'950);
  CHECK(grant.limit() == 200'000);
  CHECK(grant.tokens_used() == 199'950);
  CHECK(grant.tokens_limit() == 200'000);
  auto refused = fx.consume(51, &grant, kTenant, v1::RESOURCE_MODEL_TOKENS);
  CHECK(refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(refused.error_message() == "quota exceeded: 199950 of 200000 model tokens used this period");

  // A reply already generated is recorded past the allowance; ConsumeQuota of replies still
  // grants (the reply quota is separate) and says the tokens are spent.
  auto over = fx.record(kBotA, "r-2", 900, 100);
  CHECK(over.tokens_used() == 200'950);
  CHECK(over.tokens_limit() == 200'000);
  REQUIRE(fx.consume(1, &grant).ok());
  CHECK(grant.used() == 3);
  CHECK(grant.tokens_used() == 200'950);
  CHECK(grant.tokens_used() >= grant.tokens_limit());
  auto sub = fx.get();
  CHECK(sub.usage().model_tokens() == 200'950);
  CHECK(sub.usage().bot_replies() == 3);

  // A paid plan raises the allowance for the tokens already used in the period.
  v1::Subscription paid;
  fx.now_us += kDayUs;
  REQUIRE(fx.change_plan("starter", &paid).ok());
  CHECK(paid.plan().limits().max_tokens_per_month() == 4'000'000);
  CHECK(paid.usage().model_tokens() == 0);  // leaving the trial starts a fresh period
  CHECK(fx.record(kBotA, "r-3", 10, 0).tokens_limit() == 4'000'000);

  // An expired trial still records (another tenant).
  fx.get(kOtherTenant);
  fx.now_us += 15 * kDayUs;
  CHECK(fx.get(kOtherTenant).status() == v1::SUBSCRIPTION_STATUS_EXPIRED);
  CHECK(fx.record(kBotB, "late", 5, 5, kOtherTenant).tokens_used() == 10);
}

TEST_CASE("a new billing period restarts the period's tokens and keeps the daily rows") {
  BillingFixture fx;
  v1::Subscription sub;
  REQUIRE(fx.change_plan("pro", &sub).ok());  // anchored at 2026-01-31T12:00Z
  CHECK(fx.record(kBotA, "p1-a", 800, 200).tokens_used() == 1000);
  fx.now_us += kDayUs;
  CHECK(fx.record(kBotB, "p1-b", 50, 50).tokens_used() == 1100);

  // The last hour of the first period (2026-02-28T11:00Z).
  fx.now_us = subscription::add_months_utc(kStart, 1) - 3600 * 1'000'000LL;
  CHECK(fx.record(kBotA, "p1-end", 10, 0).tokens_used() == 1110);

  fx.now_us = subscription::add_months_utc(kStart, 1) + kDayUs;  // 2026-03-01T12:00Z
  sub = fx.get();
  CHECK(micros(sub.current_period_start()) == subscription::add_months_utc(kStart, 1));
  CHECK(sub.usage().model_tokens() == 0);
  auto next = fx.record(kBotA, "p2-a", 300, 200);
  CHECK(next.tokens_used() == 500);
  CHECK(next.tokens_limit() == 20'000'000);
  // A reply id of the previous period is still known: a retry a day later adds nothing.
  auto late = fx.record(kBotA, "p1-end", 10, 0);
  CHECK(late.duplicate());
  CHECK(late.tokens_used() == 500);

  v1::ListDailyUsageResponse daily;
  REQUIRE(fx.daily(90, &daily).ok());
  CHECK(daily.last_day() == "2026-03-01");
  CHECK(daily.first_day() == "2025-12-02");
  CHECK(rows_of(daily) == std::map<std::string, std::vector<std::int64_t>>{
                              {std::string("2026-01-31 ") + kBotA, {1, 800, 200}},
                              {std::string("2026-02-01 ") + kBotB, {1, 50, 50}},
                              {std::string("2026-02-28 ") + kBotA, {1, 10, 0}},
                              {std::string("2026-03-01 ") + kBotA, {1, 300, 200}}});
  // The window is counted in UTC days, today included.
  REQUIRE(fx.daily(1, &daily).ok());
  CHECK(daily.first_day() == "2026-03-01");
  REQUIRE(daily.days_size() == 1);
  CHECK(daily.days(0).bot_id() == kBotA);
  REQUIRE(fx.daily(29, &daily).ok());
  CHECK(daily.first_day() == "2026-02-01");
  CHECK(daily.days_size() == 3);
}

TEST_CASE("concurrent RecordTokenUsage from 8 threads sums exactly, each reply once") {
  BillingFixture fx;
  fx.get();
  constexpr int kThreads = 8;
  constexpr int kRepliesPerThread = 25;
  constexpr int kShared = 10;  // reply ids every thread sends: recorded once in all
  std::atomic<int> failed{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRepliesPerThread; ++i) {
        v1::RecordTokenUsageRequest request;
        request.set_tenant_id(kTenant);
        request.set_bot_id(t % 2 == 0 ? kBotA : kBotB);
        request.set_reply_id(std::to_string(t * 1000 + i));
        request.set_prompt_tokens(100 + i);
        request.set_completion_tokens(t + 1);
        v1::RecordTokenUsageResponse out;
        if (!fx.record(request, &out).ok()) ++failed;
        if (i < kShared) {
          request.set_bot_id(kBotA);
          request.set_reply_id("shared-" + std::to_string(i));
          request.set_prompt_tokens(1000);
          request.set_completion_tokens(0);
          if (!fx.record(request, &out).ok()) ++failed;
          if (out.duplicate()) ++duplicates;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failed == 0);
  CHECK(duplicates == (kThreads - 1) * kShared);

  std::int64_t expected = kShared * 1000;
  std::int64_t expected_a = kShared, expected_b = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kRepliesPerThread; ++i) expected += 100 + i + t + 1;
    (t % 2 == 0 ? expected_a : expected_b) += kRepliesPerThread;
  }
  CHECK(fx.get().usage().model_tokens() == expected);
  v1::ListDailyUsageResponse daily;
  REQUIRE(fx.daily(1, &daily).ok());
  REQUIRE(daily.days_size() == 2);
  CHECK(daily.days(0).replies() == expected_a);
  CHECK(daily.days(1).replies() == expected_b);
  CHECK(daily.days(0).prompt_tokens() + daily.days(0).completion_tokens() +
            daily.days(1).prompt_tokens() + daily.days(1).completion_tokens() ==
        expected);
}

TEST_CASE("RecordTokenUsage and ListDailyUsage refuse bad input with a clear status, storing nothing") {
  BillingFixture fx;
  fx.get();
  auto base = [] {
    v1::RecordTokenUsageRequest r;
    r.set_tenant_id(kTenant);
    r.set_bot_id(kBotA);
    r.set_reply_id("m-1");
    r.set_provider("gemini");
    r.set_model("gemini-2.0-flash");
    r.set_prompt_tokens(1);
    r.set_completion_tokens(1);
    return r;
  };
  struct Bad {
    std::function<void(v1::RecordTokenUsageRequest&)> change;
    grpc::StatusCode code;
    std::string message;
  };
  const std::vector<Bad> cases{
      {[](auto& r) { r.set_tenant_id(""); }, grpc::StatusCode::INVALID_ARGUMENT, "tenant_id is required"},
      {[](auto& r) { r.set_tenant_id("acme"); }, grpc::StatusCode::INVALID_ARGUMENT, "tenant_id must be a UUID"},
      {[](auto& r) { r.set_tenant_id(kOtherTenant); }, grpc::StatusCode::NOT_FOUND,
       std::string("no subscription for tenant ") + kOtherTenant},
      {[](auto& r) { r.set_bot_id(""); }, grpc::StatusCode::INVALID_ARGUMENT, "bot_id is required"},
      {[](auto& r) { r.set_bot_id("bot-1"); }, grpc::StatusCode::INVALID_ARGUMENT, "bot_id must be a UUID"},
      {[](auto& r) { r.set_reply_id(""); }, grpc::StatusCode::INVALID_ARGUMENT, "reply_id is required"},
      {[](auto& r) { r.set_reply_id(std::string(101, 'x')); }, grpc::StatusCode::INVALID_ARGUMENT,
       "reply_id must be at most 100 bytes"},
      {[](auto& r) { r.set_reply_id(std::string("m\0x", 3)); }, grpc::StatusCode::INVALID_ARGUMENT,
       "reply_id must be UTF-8 text without control characters"},
      {[](auto& r) { r.set_reply_id("m-\t1"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "reply_id must be UTF-8 text without control characters"},
      {[](auto& r) { r.set_model(std::string(101, 'm')); }, grpc::StatusCode::INVALID_ARGUMENT,
       "model must be at most 100 bytes"},
      {[](auto& r) { r.set_provider("open\nai"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "provider must be UTF-8 text without control characters"},
      {[](auto& r) { r.set_prompt_tokens(-1); }, grpc::StatusCode::INVALID_ARGUMENT,
       "prompt_tokens must be in [0, 100000000]"},
      {[](auto& r) { r.set_completion_tokens(-5); }, grpc::StatusCode::INVALID_ARGUMENT,
       "completion_tokens must be in [0, 100000000]"},
      {[](auto& r) { r.set_completion_tokens(INT64_MAX); }, grpc::StatusCode::INVALID_ARGUMENT,
       "completion_tokens must be in [0, 100000000]"},
  };
  for (const auto& bad : cases) {
    auto request = base();
    bad.change(request);
    v1::RecordTokenUsageResponse out;
    auto status = fx.record(request, &out);
    INFO(bad.message);
    CHECK(status.error_code() == bad.code);
    CHECK(status.error_message() == bad.message);
  }
  auto conn = fx.pool->acquire();
  CHECK(conn->exec("SELECT count(*) FROM billing.recorded_replies").int64(0, 0) == 0);
  CHECK(conn->exec("SELECT count(*) FROM billing.token_usage_daily").int64(0, 0) == 0);
  CHECK(conn->exec("SELECT count(*) FROM billing.subscriptions").int64(0, 0) == 1);  // no trial made
  CHECK(fx.get().usage().model_tokens() == 0);

  // The limits themselves are accepted: 100-byte id, zero tokens, the largest count.
  auto edge = base();
  edge.set_reply_id(std::string(100, 'x'));
  edge.set_prompt_tokens(0);
  edge.set_completion_tokens(100'000'000);
  v1::RecordTokenUsageResponse out;
  REQUIRE(fx.record(edge, &out).ok());
  CHECK(out.tokens_used() == 100'000'000);

  v1::ListDailyUsageResponse daily;
  for (int days : {0, -1, 91, 100000}) {
    auto status = fx.daily(days, &daily);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message() == "days must be in [1, 90]");
  }
  CHECK(fx.daily(30, &daily, "").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(fx.daily(30, &daily, "x").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  REQUIRE(fx.daily(30, &daily, kOtherTenant).ok());  // a tenant with nothing recorded
  CHECK(daily.days_size() == 0);
}

TEST_CASE("recorded reply ids are pruned after the retention window") {
  BillingFixture fx;
  fx.get();
  fx.record(kBotA, "old", 1, 1);
  auto conn = fx.pool->acquire();
  auto count = [&] { return conn->exec("SELECT count(*) FROM billing.recorded_replies").int64(0, 0); };
  CHECK(count() == 1);
  fx.now_us += subscription::kReplyIdRetentionUs - kDayUs;
  fx.record(kBotA, "newer", 1, 1);
  CHECK(count() == 2);  // still inside the window: kept
  CHECK(fx.record(kBotA, "old", 1, 1).duplicate());
  fx.now_us += 2 * kDayUs;
  fx.record(kBotA, "newest", 1, 1);
  CHECK(count() == 2);  // "old" is past the window
  // The daily rows are not touched by pruning.
  v1::ListDailyUsageResponse daily;
  REQUIRE(fx.daily(30, &daily).ok());
  std::int64_t replies = 0;
  for (const auto& d : daily.days()) replies += d.replies();
  CHECK(replies == 3);
}
