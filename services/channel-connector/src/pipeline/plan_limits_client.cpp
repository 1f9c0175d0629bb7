#include "pipeline/plan_limits_client.hpp"

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::channel {

SubscriptionChannelAllowance::SubscriptionChannelAllowance(std::shared_ptr<grpc::Channel> channel,
                                                           std::chrono::milliseconds timeout)
    : stub_(billing::v1::SubscriptionService::NewStub(channel)), timeout_(timeout) {}

int SubscriptionChannelAllowance::max_channels(const std::string& tenant_id) {
  return limits(tenant_id).max_channels();
}

AttachmentLimits SubscriptionChannelAllowance::attachment_limits(const std::string& tenant_id) {
  auto plan = limits(tenant_id);
  AttachmentLimits out;
  out.max_attachment_bytes =
      plan.max_attachment_bytes() > 0 ? plan.max_attachment_bytes() : kDefaultMaxAttachmentBytes;
  out.max_storage_bytes =
      plan.max_storage_bytes() > 0 ? plan.max_storage_bytes() : kDefaultMaxStorageBytes;
  return out;
}

billing::v1::PlanLimits SubscriptionChannelAllowance::limits(const std::string& tenant_id) {
  grpc::ClientContext context;
  rpc::set_deadline(context, timeout_);
  billing::v1::GetSubscriptionRequest request;
  request.set_tenant_id(tenant_id);
  billing::v1::Subscription subscription;
  auto status = stub_->GetSubscription(&context, request, &subscription);
  if (!status.ok()) {
    common::throw_if_call_abandoned();
    common::logger("clients")->warn("GetSubscription failed: code={} {}",
                                    static_cast<int>(status.error_code()),
                                    common::json_escape(status.error_message()));
    throw rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "subscription unavailable");
  }
  return subscription.plan().limits();
}

}  // namespace botfactory::channel
