#pragma once
// A migrated billing database, a SubscriptionManager on a settable clock, a real gRPC server on
// port 0 and a stub: the fixture of the subscription pgtests.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "billing_migrations.hpp"
#include "billing_period.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "subscription_grpc_service.hpp"

using namespace botfactory;
using namespace std::chrono;
namespace v1 = botfactory::billing::v1;

namespace billing_test {

inline constexpr const char* kTenant = "11111111-2222-4333-8444-555555555555";
inline constexpr std::int64_t kDayUs = subscription::kMicrosPerDay;

// 2026-01-31T12:00:00Z: month-end anchors exercise clamping (Feb 28, then Mar 31).
inline const std::int64_t kStart =
    duration_cast<microseconds>((sys_days{2026y / January / 31} + hours{12}).time_since_epoch())
        .count();

inline std::shared_ptr<pg::Pool> migrated_pool(const std::string& conninfo) {
  auto pool = std::make_shared<pg::Pool>(conninfo, 8);
  auto conn = pool->acquire();
  pg::migrate(*conn, "billing", migrations::billing_migrations());
  return pool;
}

/// A migrated database, a SubscriptionManager on a settable clock, a real server and stub.
struct BillingFixture {
  testenv::TestDatabase db;
  std::shared_ptr<pg::Pool> pool = migrated_pool(db.conninfo());
  std::atomic<std::int64_t> now_us{kStart};
  std::shared_ptr<subscription::SubscriptionManager> manager =
      std::make_shared<subscription::SubscriptionManager>(pool, [this] { return now_us.load(); });
  subscription::SubscriptionGrpcService service{manager};
  rpc::Server server{"127.0.0.1:0", {&service}};
  std::unique_ptr<v1::SubscriptionService::Stub> stub = v1::SubscriptionService::NewStub(
      rpc::make_channel("127.0.0.1:" + std::to_string(server.port())));

  template <typename Call>
  grpc::Status call(Call&& call) {
    grpc::ClientContext context;
    rpc::set_deadline(context, milliseconds(5000));
    return call(context);
  }

  v1::Subscription get(const std::string& tenant = kTenant) {
    v1::GetSubscriptionRequest request;
    request.set_tenant_id(tenant);
    v1::Subscription out;
    auto status =
        call([&](grpc::ClientContext& c) { return stub->GetSubscription(&c, request, &out); });
    INFO(status.error_message());
    REQUIRE(status.ok());
    return out;
  }

  grpc::Status change_plan(const std::string& code, v1::Subscription* out,
                           const std::string& tenant = kTenant) {
    v1::ChangePlanRequest request;
    request.set_tenant_id(tenant);
    request.set_plan_code(code);
    return call([&](grpc::ClientContext& c) { return stub->ChangePlan(&c, request, out); });
  }

  grpc::Status consume(std::int64_t amount, v1::ConsumeQuotaResponse* out,
                       const std::string& tenant = kTenant,
                       v1::Resource resource = v1::RESOURCE_BOT_REPLIES) {
    v1::ConsumeQuotaRequest request;
    request.set_tenant_id(tenant);
    request.set_resource(resource);
    request.set_amount(amount);
    return call([&](grpc::ClientContext& c) { return stub->ConsumeQuota(&c, request, out); });
  }

  grpc::Status record(const v1::RecordTokenUsageRequest& request,
                      v1::RecordTokenUsageResponse* out) {
    return call([&](grpc::ClientContext& c) { return stub->RecordTokenUsage(&c, request, out); });
  }

  /// RecordTokenUsage of `reply_id` for kTenant's `bot_id`; REQUIREs success.
  v1::RecordTokenUsageResponse record(const std::string& bot_id, const std::string& reply_id,
                                      std::int64_t prompt_tokens, std::int64_t completion_tokens,
                                      const std::string& tenant = kTenant) {
    v1::RecordTokenUsageRequest request;
    request.set_tenant_id(tenant);
    request.set_bot_id(bot_id);
    request.set_reply_id(reply_id);
    request.set_provider("openai");
    request.set_model("gpt-4o-mini");
    request.set_prompt_tokens(prompt_tokens);
    request.set_completion_tokens(completion_tokens);
    v1::RecordTokenUsageResponse out;
    auto status = record(request, &out);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return out;
  }

  grpc::Status daily(int days, v1::ListDailyUsageResponse* out,
                     const std::string& tenant = kTenant) {
    v1::ListDailyUsageRequest request;
    request.set_tenant_id(tenant);
    request.set_days(days);
    return call([&](grpc::ClientContext& c) { return stub->ListDailyUsage(&c, request, out); });
  }
};

inline std::int64_t micros(const google::protobuf::Timestamp& ts) { return rpc::micros_from_timestamp(ts); }

}  // namespace billing_test
