#include "entitlements.hpp"

#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::registry {

GrpcEntitlementsClient::GrpcEntitlementsClient(std::shared_ptr<grpc::Channel> channel,
                                               std::chrono::milliseconds timeout)
    : channel_(std::move(channel)), timeout_(timeout) {}

PlanLimits GrpcEntitlementsClient::limits(const std::string& tenant_id) {
  auto stub = billing::v1::SubscriptionService::NewStub(channel_);
  grpc::ClientContext context;
  rpc::set_deadline(context, timeout_);
  billing::v1::GetSubscriptionRequest request;
  request.set_tenant_id(tenant_id);
  billing::v1::Subscription subscription;
  auto status = stub->GetSubscription(&context, request, &subscription);
  if (!status.ok()) {
    common::throw_if_call_abandoned();  // our own caller gave up: not the subscription's fault
    common::logger("entitlements")
        ->warn("GetSubscription failed: code={} {}", static_cast<int>(status.error_code()),
               common::json_escape(status.error_message()));
    throw rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "subscription service unavailable");
  }
  const auto& limits = subscription.plan().limits();
  return PlanLimits{limits.max_bots(), limits.max_knowledge_bytes()};
}

}  // namespace botfactory::registry
