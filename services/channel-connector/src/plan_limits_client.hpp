#pragma once
// The plan's allowances of a tenant: subscription GetSubscription → PlanLimits.max_channels and
// (files) PlanLimits.max_attachment_bytes.

#include <chrono>
#include <cstdint>
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

/// Reads a tenant's cap on one chat attachment (files).
class AttachmentAllowance {
 public:
  virtual ~AttachmentAllowance() = default;
  /// Bytes one uploaded attachment may have (> 0). Throws rpc::StatusError UNAVAILABLE when
  /// subscription cannot answer.
  virtual std::int64_t max_attachment_bytes(const std::string& tenant_id) = 0;
};

/// The cap when the plan names none (an older subscription service): 10 MiB.
inline constexpr std::int64_t kDefaultMaxAttachmentBytes = 10 * 1024 * 1024;

/// ChannelAllowance and AttachmentAllowance over billing.v1 GetSubscription.
class SubscriptionChannelAllowance : public ChannelAllowance, public AttachmentAllowance {
 public:
  SubscriptionChannelAllowance(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  int max_channels(const std::string& tenant_id) override;
  std::int64_t max_attachment_bytes(const std::string& tenant_id) override;

 private:
  billing::v1::PlanLimits limits(const std::string& tenant_id);

  std::unique_ptr<billing::v1::SubscriptionService::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

}  // namespace botfactory::channel
