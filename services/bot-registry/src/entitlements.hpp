#pragma once
// The plan limits bot-registry enforces, read from the subscription service.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace grpc {
class Channel;
}

namespace botfactory::registry {

/// Limits of a tenant's current plan (billing.v1.PlanLimits). A negative value means no limit.
struct PlanLimits {
  std::int64_t max_bots = -1;
  std::int64_t max_knowledge_bytes = -1;  // per bot, sum of document body sizes in bytes
};

/// Where the limits come from. Implementations must be thread-safe. limits() throws
/// rpc::StatusError UNAVAILABLE when they cannot be read.
class EntitlementsClient {
 public:
  virtual ~EntitlementsClient() = default;
  virtual PlanLimits limits(const std::string& tenant_id) = 0;
};

/// Reads the limits with SubscriptionService.GetSubscription (billing.v1) over `channel`, each
/// call with a deadline of `timeout`. A failed call (unreachable, deadline, any error status)
/// gives UNAVAILABLE "subscription service unavailable"; the cause is logged.
class GrpcEntitlementsClient : public EntitlementsClient {
 public:
  GrpcEntitlementsClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  PlanLimits limits(const std::string& tenant_id) override;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::chrono::milliseconds timeout_;
};

}  // namespace botfactory::registry
