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

/// A tenant's plan limits on chat attachments (files), bytes, each > 0.
struct AttachmentLimits {
  std::int64_t max_attachment_bytes = 0;  // one uploaded attachment
  std::int64_t max_storage_bytes = 0;     // tidy: all the tenant's stored attachments together
};

/// Reads a tenant's caps on chat attachments (files).
class AttachmentAllowance {
 public:
  virtual ~AttachmentAllowance() = default;
  /// The plan's attachment limits (defaults below where the plan names none), one
  /// GetSubscription call. Throws rpc::StatusError UNAVAILABLE when subscription cannot answer.
  virtual AttachmentLimits attachment_limits(const std::string& tenant_id) = 0;
};

/// The cap when the plan names none (an older subscription service): 10 MiB.
inline constexpr std::int64_t kDefaultMaxAttachmentBytes = 10 * 1024 * 1024;
/// tidy: the storage allowance when the plan names none: 100 MiB (the trial's).
inline constexpr std::int64_t kDefaultMaxStorageBytes = 100 * 1024 * 1024;

/// ChannelAllowance and AttachmentAllowance over billing.v1 GetSubscription.
class SubscriptionChannelAllowance : public ChannelAllowance, public AttachmentAllowance {
 public:
  SubscriptionChannelAllowance(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  int max_channels(const std::string& tenant_id) override;
  AttachmentLimits attachment_limits(const std::string& tenant_id) override;

 private:
  billing::v1::PlanLimits limits(const std::string& tenant_id);

  std::unique_ptr<billing::v1::SubscriptionService::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

}  // namespace botfactory::channel
