#pragma once
// The plan's channel allowance of a tenant: subscription GetSubscription → PlanLimits.max_channels.

#include <chrono>
#include <memory>
#include <string>

#include "botfactory/billing/v1/billing.grpc.pb.h"

namespace botfactory::channel {

/// Reads a tenant's channel allowance.
class ChannelAllowance {
 public:
  virtual ~ChannelAllowance() = default;
  /// Channels one bot may have (besides the web widget). Throws rpc::StatusError UNAVAILABLE
  /// when subscription cannot answer.
  virtual int max_channels(const std::string& tenant_id) = 0;
};

/// ChannelAllowance over billing.v1 GetSubscription.
class SubscriptionChannelAllowance : public ChannelAllowance {
 public:
  SubscriptionChannelAllowance(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  int max_channels(const std::string& tenant_id) override;

 private:
  std::unique_ptr<billing::v1::SubscriptionService::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

}  // namespace botfactory::channel
