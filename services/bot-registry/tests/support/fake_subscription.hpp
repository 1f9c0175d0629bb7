#pragma once
// A real gRPC SubscriptionService for tests of services that read plan limits: answers
// GetSubscription with a fixed plan whose limits the test sets; other RPCs are UNIMPLEMENTED.

#include <atomic>
#include <cstdint>
#include <string>

#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/rpc/server.hpp"

namespace botfactory::registry::test {

/// The service; limits and the call count may be read and changed while it serves.
class FakeSubscriptionService final : public billing::v1::SubscriptionService::Service {
 public:
  std::atomic<std::int32_t> max_bots{3};
  std::atomic<std::int64_t> max_knowledge_bytes{1'000'000};
  std::atomic<int> calls{0};

  grpc::Status GetSubscription(grpc::ServerContext*, const billing::v1::GetSubscriptionRequest* request,
                               billing::v1::Subscription* response) override {
    ++calls;
    response->set_tenant_id(request->tenant_id());
    response->set_status(billing::v1::SUBSCRIPTION_STATUS_TRIALING);
    auto* plan = response->mutable_plan();
    plan->set_code("trial");
    plan->set_name("Free trial");
    plan->set_trial_days(14);
    auto* limits = plan->mutable_limits();
    limits->set_max_bots(max_bots.load());
    limits->set_max_knowledge_bytes(max_knowledge_bytes.load());
    limits->set_max_replies_per_month(100);
    limits->set_max_channels(1);
    return grpc::Status::OK;
  }
};

/// The service on a real gRPC server bound to 127.0.0.1:0.
struct FakeSubscriptionServer {
  FakeSubscriptionService service;
  rpc::Server server{"127.0.0.1:0", {&service}};
  std::string address() const { return "127.0.0.1:" + std::to_string(server.port()); }
};

}  // namespace botfactory::registry::test
