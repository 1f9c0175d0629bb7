// SubscriptionService over real gRPC (port 0) and a fresh PostgreSQL database per test case.
#include <catch2/catch.hpp>

#include "billing_fixture.hpp"

using namespace billing_test;

TEST_CASE("plans are listed in catalog order with their limits") {
  BillingFixture fx;
  v1::ListPlansRequest request;
  v1::ListPlansResponse response;
  REQUIRE(fx.call([&](grpc::ClientContext& c) { return fx.stub->ListPlans(&c, request, &response); }).ok());
  REQUIRE(response.plans_size() == 4);
  std::vector<std::string> codes;
  for (const auto& p : response.plans()) codes.push_back(p.code());
  CHECK(codes == std::vector<std::string>{"trial", "starter", "pro", "business"});
  const auto& trial = response.plans(0);
  CHECK(trial.name() == "Free trial");
  CHECK(trial.price_cents() == 0);
  CHECK(trial.currency() == "USD");
  CHECK(trial.trial_days() == 14);
  CHECK(trial.limits().max_bots() == 1);
  CHECK(trial.limits().max_replies_per_month() == 100);
  CHECK(trial.limits().max_knowledge_bytes() == 1048576);
  CHECK(trial.limits().max_channels() == 1);
  const auto& pro = response.plans(2);
  CHECK(pro.name() == "Pro");
  CHECK(pro.price_cents() == 4900);
  CHECK(pro.trial_days() == 0);
  CHECK(pro.limits().max_bots() == 10);
  CHECK(pro.limits().max_replies_per_month() == 10000);
  CHECK(pro.limits().max_knowledge_bytes() == 50LL * 1024 * 1024);
  CHECK(pro.limits().max_channels() == 4);
  const auto& business = response.plans(3);
  CHECK(business.price_cents() == 14900);
  CHECK(business.limits().max_replies_per_month() == 100000);
  CHECK(business.limits().max_knowledge_bytes() == 500LL * 1024 * 1024);
}

TEST_CASE("the first read of a tenant starts its 14-day trial; StartTrial keeps it") {
  BillingFixture fx;
  auto sub = fx.get();
  CHECK(sub.tenant_id() == kTenant);
  CHECK(sub.plan().code() == "trial");
  CHECK(sub.status() == v1::SUBSCRIPTION_STATUS_TRIALING);
  CHECK(micros(sub.current_period_start()) == kStart);
  CHECK(micros(sub.current_period_end()) == kStart + 14 * kDayUs);
  CHECK(sub.usage().bot_replies() == 0);

  fx.now_us += 3 * kDayUs;
  v1::StartTrialRequest request;
  request.set_tenant_id(kTenant);
  v1::Subscription again;
  REQUIRE(fx.call([&](grpc::ClientContext& c) { return fx.stub->StartTrial(&c, request, &again); }).ok());
  CHECK(micros(again.current_period_start()) == kStart);
  CHECK(again.status() == v1::SUBSCRIPTION_STATUS_TRIALING);

  const std::string other = "99999999-2222-4333-8444-555555555555";
  request.set_tenant_id(other);
  REQUIRE(fx.call([&](grpc::ClientContext& c) { return fx.stub->StartTrial(&c, request, &again); }).ok());
  CHECK(again.tenant_id() == other);
  CHECK(micros(again.current_period_start()) == fx.now_us.load());

  request.set_tenant_id("not-a-uuid");
  auto status = fx.call([&](grpc::ClientContext& c) { return fx.stub->StartTrial(&c, request, &again); });
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("ChangePlan validates the code; leaving the trial starts a fresh monthly period") {
  BillingFixture fx;
  v1::Subscription sub;
  v1::ConsumeQuotaResponse grant;
  REQUIRE(fx.consume(7, &grant).ok());

  auto unknown = fx.change_plan("platinum", &sub);
  CHECK(unknown.error_code() == grpc::StatusCode::NOT_FOUND);
  auto trial = fx.change_plan("trial", &sub);
  CHECK(trial.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(fx.get().plan().code() == "trial");

  fx.now_us += kDayUs;
  REQUIRE(fx.change_plan("pro", &sub).ok());
  CHECK(sub.plan().code() == "pro");
  CHECK(sub.status() == v1::SUBSCRIPTION_STATUS_ACTIVE);
  CHECK(micros(sub.current_period_start()) == fx.now_us.load());
  CHECK(micros(sub.current_period_end()) == subscription::add_months_utc(fx.now_us.load(), 1));
  CHECK(sub.usage().bot_replies() == 0);
  REQUIRE(fx.consume(5, &grant).ok());
  CHECK(grant.used() == 5);
  CHECK(grant.limit() == 10000);

  // Choosing the current plan again neither resets the period nor the usage.
  auto period_start = micros(sub.current_period_start());
  fx.now_us += kDayUs;
  REQUIRE(fx.change_plan("pro", &sub).ok());
  CHECK(micros(sub.current_period_start()) == period_start);
  CHECK(sub.usage().bot_replies() == 5);

  REQUIRE(fx.change_plan("starter", &sub).ok());
  CHECK(sub.plan().code() == "starter");
  CHECK(sub.plan().limits().max_replies_per_month() == 2000);

  // Between paid plans the period and its usage stay: switching back and forth cannot reset
  // the quota.
  CHECK(micros(sub.current_period_start()) == period_start);
  CHECK(sub.usage().bot_replies() == 5);
  REQUIRE(fx.consume(2, &grant).ok());
  CHECK(grant.used() == 7);
  CHECK(grant.limit() == 2000);
  fx.now_us += kDayUs;
  REQUIRE(fx.change_plan("pro", &sub).ok());
  CHECK(micros(sub.current_period_start()) == period_start);
  CHECK(sub.usage().bot_replies() == 7);
  CHECK(fx.get().usage().bot_replies() == 7);
}

TEST_CASE("quota is consumed up to the limit, then refused with nothing consumed") {
  BillingFixture fx;
  v1::ConsumeQuotaResponse grant;
  REQUIRE(fx.consume(60, &grant).ok());
  CHECK(grant.used() == 60);
  CHECK(grant.limit() == 100);
  REQUIRE(fx.consume(39, &grant).ok());
  CHECK(grant.used() == 99);

  auto too_much = fx.consume(2, &grant);
  CHECK(too_much.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(too_much.error_message() == "quota exceeded: 99 of 100 bot replies used this period");
  CHECK(fx.get().usage().bot_replies() == 99);

  REQUIRE(fx.consume(1, &grant).ok());
  CHECK(grant.used() == 100);
  auto exhausted = fx.consume(1, &grant);
  CHECK(exhausted.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(exhausted.error_message() == "quota exceeded: 100 of 100 bot replies used this period");
  CHECK(fx.get().usage().bot_replies() == 100);

  // A first consumption above the limit is refused too.
  const std::string fresh = "aaaaaaaa-2222-4333-8444-555555555555";
  auto huge = fx.consume(101, &grant, fresh);
  CHECK(huge.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(huge.error_message() == "quota exceeded: 0 of 100 bot replies used this period");
  auto fresh_sub = fx.get(fresh);
  CHECK(fresh_sub.status() == v1::SUBSCRIPTION_STATUS_TRIALING);  // unknown tenant: trial started
  CHECK(fresh_sub.usage().bot_replies() == 0);

  CHECK(fx.consume(0, &grant).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(fx.consume(-5, &grant).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(fx.consume(1, &grant, kTenant, v1::RESOURCE_UNSPECIFIED).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(fx.consume(1, &grant, "").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("concurrent ConsumeQuota from 8 threads never passes the limit") {
  BillingFixture fx;
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 20;  // 160 attempts against a limit of 100
  std::atomic<int> granted{0}, refused{0}, failed{0};
  std::atomic<std::int64_t> max_used{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        v1::ConsumeQuotaResponse grant;
        auto status = fx.consume(1, &grant);
        if (status.ok()) {
          ++granted;
          auto seen = max_used.load();
          while (grant.used() > seen && !max_used.compare_exchange_weak(seen, grant.used())) {
          }
        } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
          ++refused;
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failed == 0);
  CHECK(granted == 100);
  CHECK(refused == kThreads * kCallsPerThread - 100);
  CHECK(max_used == 100);
  CHECK(fx.get().usage().bot_replies() == 100);
}

TEST_CASE("an expired trial is EXPIRED and refuses quota until a plan is chosen") {
  BillingFixture fx;
  v1::ConsumeQuotaResponse grant;
  REQUIRE(fx.consume(1, &grant).ok());
  fx.now_us += 14 * kDayUs - 1;
  CHECK(fx.get().status() == v1::SUBSCRIPTION_STATUS_TRIALING);
  fx.now_us += 1;
  CHECK(fx.get().status() == v1::SUBSCRIPTION_STATUS_EXPIRED);
  auto refused = fx.consume(1, &grant);
  CHECK(refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(refused.error_message() == "quota exceeded: trial expired");
  CHECK(fx.get().usage().bot_replies() == 1);

  v1::Subscription sub;
  REQUIRE(fx.change_plan("starter", &sub).ok());
  CHECK(sub.status() == v1::SUBSCRIPTION_STATUS_ACTIVE);
  REQUIRE(fx.consume(1, &grant).ok());
  CHECK(grant.used() == 1);
  CHECK(grant.limit() == 2000);
}

TEST_CASE("paid periods roll forward monthly from the anchor and usage restarts at 0") {
  BillingFixture fx;
  v1::Subscription sub;
  REQUIRE(fx.change_plan("starter", &sub).ok());  // anchored at 2026-01-31T12:00Z
  v1::ConsumeQuotaResponse grant;
  REQUIRE(fx.consume(5, &grant).ok());

  fx.now_us = subscription::add_months_utc(kStart, 1) + kDayUs;  // 2026-03-01
  sub = fx.get();
  CHECK(sub.status() == v1::SUBSCRIPTION_STATUS_ACTIVE);
  CHECK(micros(sub.current_period_start()) == subscription::add_months_utc(kStart, 1));  // Feb 28
  CHECK(micros(sub.current_period_end()) == subscription::add_months_utc(kStart, 2));    // Mar 31
  CHECK(sub.usage().bot_replies() == 0);
  REQUIRE(fx.consume(3, &grant).ok());
  CHECK(grant.used() == 3);

  fx.now_us = subscription::add_months_utc(kStart, 5) + 1;  // skipped several periods unread
  REQUIRE(fx.consume(2, &grant).ok());
  CHECK(grant.used() == 2);
  sub = fx.get();
  CHECK(micros(sub.current_period_start()) == subscription::add_months_utc(kStart, 5));
  CHECK(sub.usage().bot_replies() == 2);
}

TEST_CASE("every tenant-scoped RPC refuses an empty or malformed tenant and stores nothing") {
  BillingFixture fx;
  for (const std::string& bad : std::vector<std::string>{"", "tenant-1", std::string(kTenant) + "x",
                                                         "' OR 1=1 --"}) {
    INFO("tenant '" << bad << "'");
    v1::GetSubscriptionRequest get;
    get.set_tenant_id(bad);
    v1::Subscription sub;
    auto got = fx.call([&](grpc::ClientContext& c) { return fx.stub->GetSubscription(&c, get, &sub); });
    CHECK(got.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(got.error_message() == (bad.empty() ? "tenant_id is required" : "tenant_id must be a UUID"));
    v1::StartTrialRequest trial;
    trial.set_tenant_id(bad);
    CHECK(fx.call([&](grpc::ClientContext& c) { return fx.stub->StartTrial(&c, trial, &sub); })
              .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(fx.change_plan("starter", &sub, bad).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    v1::ConsumeQuotaResponse grant;
    CHECK(fx.consume(1, &grant, bad).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
  auto conn = fx.pool->acquire();
  CHECK(conn->exec("SELECT count(*) FROM billing.subscriptions").int64(0, 0) == 0);
}
