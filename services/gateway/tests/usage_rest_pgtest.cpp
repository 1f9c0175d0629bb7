// Token metering through the REST API: the real gateway with the real auth and subscription
// services (in process, each on its own fresh PostgreSQL database and real gRPC). Tokens are
// recorded the way channel-connector records them (RecordTokenUsage over gRPC); the dashboard
// reads them back with GET /api/v1/subscriptions/current and GET /api/v1/usage/daily.
#include <catch2/catch.hpp>

#include "billing_migrations.hpp"
#include "billing_period.hpp"
#include "real_stack.hpp"
#include "subscription_grpc_service.hpp"
#include "subscription_manager.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

namespace {

namespace v1 = botfactory::billing::v1;

constexpr const char* kBotA = "aaaaaaaa-0000-4000-8000-00000000000a";
constexpr const char* kBotB = "bbbbbbbb-0000-4000-8000-00000000000b";

/// The real subscription service on a fresh database (system clock).
struct RealSubscription {
  testenv::TestDatabase db;
  std::shared_ptr<pg::Pool> pool = [this] {
    auto p = std::make_shared<pg::Pool>(db.conninfo(), 4);
    auto connection = p->acquire();
    pg::migrate(*connection, "billing", migrations::billing_migrations());
    return p;
  }();
  std::shared_ptr<subscription::SubscriptionManager> manager =
      std::make_shared<subscription::SubscriptionManager>(pool);
  subscription::SubscriptionGrpcService service{manager};
  rpc::Server server{"127.0.0.1:0", {&service}};
  std::unique_ptr<v1::SubscriptionService::Stub> stub =
      v1::SubscriptionService::NewStub(rpc::make_channel(address()));

  std::string address() const { return "127.0.0.1:" + std::to_string(server.port()); }

  /// RecordTokenUsage as channel-connector sends it after a model reply; REQUIREs success.
  v1::RecordTokenUsageResponse record(const std::string& tenant, const std::string& bot,
                                      const std::string& reply_id, std::int64_t prompt,
                                      std::int64_t completion) {
    v1::RecordTokenUsageRequest request;
    request.set_tenant_id(tenant);
    request.set_bot_id(bot);
    request.set_reply_id(reply_id);
    request.set_provider("openai");
    request.set_model("gpt-4o-mini");
    request.set_prompt_tokens(prompt);
    request.set_completion_tokens(completion);
    v1::RecordTokenUsageResponse response;
    grpc::ClientContext context;
    rpc::set_deadline(context, std::chrono::milliseconds(5000));
    auto status = stub->RecordTokenUsage(&context, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return response;
  }

  /// ConsumeQuota of one bot reply, as channel-connector asks before replying.
  v1::ConsumeQuotaResponse consume_reply(const std::string& tenant) {
    v1::ConsumeQuotaRequest request;
    request.set_tenant_id(tenant);
    request.set_resource(v1::RESOURCE_BOT_REPLIES);
    request.set_amount(1);
    v1::ConsumeQuotaResponse response;
    grpc::ClientContext context;
    rpc::set_deadline(context, std::chrono::milliseconds(5000));
    auto status = stub->ConsumeQuota(&context, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return response;
  }
};

/// Real auth + real subscription + fakes for the rest, and one gateway.
struct MeteringStack {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  RealAuth auth;
  RealSubscription billing;
  Instance gateway{fakes.address(), [this](gateway::GatewaySettings& s) {
                     s.auth_addr = auth.address();
                     s.subscription_addr = billing.address();
                   }};
  unsigned short port() const { return gateway.port(); }
};

std::string tenant_of(unsigned short port, const std::string& token) {
  auto me = request(port, http::verb::get, "/api/v1/users/me", {}, token);
  REQUIRE(me.status == 200);
  return std::string(me.json().at("tenant_id").as_string());
}

std::int64_t quota(const json::object& subscription, const char* resource, const char* field) {
  return subscription.at("quotas").at(resource).at(field).as_int64();
}

}  // namespace

TEST_CASE("REST: the subscription shows replies and tokens side by side; daily usage per bot and UTC day") {
  MeteringStack stack;
  auto port = stack.port();
  auto owner = owner_token(port, "metering-owner@example.com");
  auto other = owner_token(port, "metering-other@example.com");
  const auto tenant = tenant_of(port, owner);

  auto plans = request(port, http::verb::get, "/api/v1/plans");
  REQUIRE(plans.status == 200);
  const auto catalog = plans.json();
  for (const auto& plan : catalog.at("plans").as_array()) {
    CHECK(plan.at("limits").at("max_tokens_per_month").as_int64() > 0);
  }

  auto fresh = request(port, http::verb::get, "/api/v1/subscriptions/current", {}, owner);
  REQUIRE(fresh.status == 200);
  auto sub = fresh.json();
  CHECK(sub.at("plan").at("code").as_string() == "trial");
  CHECK(sub.at("plan").at("limits").at("max_tokens_per_month").as_int64() == 200'000);
  CHECK(quota(sub, "bot_replies", "used") == 0);
  CHECK(quota(sub, "bot_replies", "limit") == 100);
  CHECK(quota(sub, "model_tokens", "used") == 0);
  CHECK(quota(sub, "model_tokens", "limit") == 200'000);

  // Three replies as channel-connector meters them: quota first, then the model's tokens.
  const auto day_before = subscription::utc_date(subscription::system_clock_micros());
  CHECK(stack.billing.consume_reply(tenant).tokens_limit() == 200'000);
  stack.billing.record(tenant, kBotA, "m-1", 1200, 300);
  stack.billing.consume_reply(tenant);
  stack.billing.record(tenant, kBotA, "m-2", 800, 200);
  stack.billing.record(tenant, kBotA, "m-2", 800, 200);  // a retry: counted once
  auto grant = stack.billing.consume_reply(tenant);
  CHECK(grant.tokens_used() == 2500);
  stack.billing.record(tenant, kBotB, "m-3", 400, 100);
  const auto day_after = subscription::utc_date(subscription::system_clock_micros());

  auto used = request(port, http::verb::get, "/api/v1/subscriptions/current", {}, owner);
  REQUIRE(used.status == 200);
  sub = used.json();
  CHECK(sub.at("usage").at("bot_replies").as_int64() == 3);
  CHECK(sub.at("usage").at("model_tokens").as_int64() == 3000);
  CHECK(quota(sub, "bot_replies", "used") == 3);
  CHECK(quota(sub, "bot_replies", "limit") == 100);
  CHECK(quota(sub, "model_tokens", "used") == 3000);
  CHECK(quota(sub, "model_tokens", "limit") == 200'000);

  auto daily = request(port, http::verb::get, "/api/v1/usage/daily", {}, owner);
  REQUIRE(daily.status == 200);
  auto body = daily.json();
  CHECK(body.at("days").as_int64() == 30);
  const std::string last_day(body.at("last_day").as_string());
  CHECK((last_day == day_before || last_day == day_after));
  auto rows = body.at("usage").as_array();
  if (day_before == day_after) {  // not across UTC midnight: one row per bot
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].at("day").as_string() == day_before);
    CHECK(rows[0].at("bot_id").as_string() == kBotA);
    CHECK(rows[0].at("replies").as_int64() == 2);
    CHECK(rows[0].at("prompt_tokens").as_int64() == 2000);
    CHECK(rows[0].at("completion_tokens").as_int64() == 500);
    CHECK(rows[0].at("tokens").as_int64() == 2500);
    CHECK(rows[1].at("bot_id").as_string() == kBotB);
    CHECK(rows[1].at("tokens").as_int64() == 500);
  }
  std::int64_t tokens = 0;
  for (const auto& row : rows) tokens += row.at("tokens").as_int64();
  CHECK(tokens == 3000);

  auto one_day = request(port, http::verb::get, "/api/v1/usage/daily?days=1", {}, owner);
  REQUIRE(one_day.status == 200);
  CHECK(one_day.json().at("days").as_int64() == 1);
  CHECK(one_day.json().at("first_day") == one_day.json().at("last_day"));
  auto ninety = request(port, http::verb::get, "/api/v1/usage/daily?days=90", {}, owner);
  REQUIRE(ninety.status == 200);
  CHECK(ninety.json().at("usage").as_array().size() == rows.size());

  // Another tenant sees none of it.
  auto theirs = request(port, http::verb::get, "/api/v1/usage/daily", {}, other);
  REQUIRE(theirs.status == 200);
  CHECK(theirs.json().at("usage").as_array().empty());
  CHECK(theirs.body.find(kBotA) == std::string::npos);
  auto their_sub = request(port, http::verb::get, "/api/v1/subscriptions/current", {}, other);
  REQUIRE(their_sub.status == 200);
  CHECK(quota(their_sub.json(), "model_tokens", "used") == 0);
}

TEST_CASE("REST: GET /api/v1/usage/daily refuses a bad window or caller with a JSON error") {
  MeteringStack stack;
  auto port = stack.port();
  auto owner = owner_token(port, "metering-errors@example.com");
  for (std::string days : {"0", "91", "-1", "abc", "30x", "1e1", "99999999999999999999"}) {
    INFO("days=" << days);
    auto bad = request(port, http::verb::get, "/api/v1/usage/daily?days=" + days, {}, owner);
    CHECK(bad.status == 400);
    CHECK(bad.error_code() == "validation_failed");
    CHECK(bad.json().at("error").at("message").as_string() == "days must be an integer in 1..90");
  }
  auto empty = request(port, http::verb::get, "/api/v1/usage/daily?days=", {}, owner);
  CHECK(empty.status == 200);  // empty = the default window
  CHECK(empty.json().at("days").as_int64() == 30);

  auto anonymous = request(port, http::verb::get, "/api/v1/usage/daily");
  CHECK(anonymous.status == 401);
  CHECK(anonymous.error_code() == "unauthorized");
  auto forged = request(port, http::verb::get, "/api/v1/usage/daily", {}, "not-a-token");
  CHECK(forged.status == 401);
  auto wrong_method = request(port, http::verb::post, "/api/v1/usage/daily", "{}", owner);
  CHECK(wrong_method.status == 405);
  CHECK(wrong_method.error_code() == "method_not_allowed");
}
