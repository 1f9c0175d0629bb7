#pragma once
// The gRPC face of subscription: converts messages and maps errors; the logic lives in
// SubscriptionManager.

#include <memory>

#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "subscription_manager.hpp"

namespace botfactory::subscription {

/// botfactory.billing.v1.SubscriptionService on top of a shared SubscriptionManager.
/// Every RPC is wrapped in rpc::metered_guard (status mapping + per-RPC metrics).
class SubscriptionGrpcService final : public botfactory::billing::v1::SubscriptionService::Service {
 public:
  explicit SubscriptionGrpcService(std::shared_ptr<SubscriptionManager> manager)
      : manager_(std::move(manager)) {}

  grpc::Status ListPlans(grpc::ServerContext* context, const billing::v1::ListPlansRequest* request,
                         billing::v1::ListPlansResponse* response) override;
  grpc::Status GetSubscription(grpc::ServerContext* context,
                               const billing::v1::GetSubscriptionRequest* request,
                               billing::v1::Subscription* response) override;
  grpc::Status StartTrial(grpc::ServerContext* context,
                          const billing::v1::StartTrialRequest* request,
                          billing::v1::Subscription* response) override;
  grpc::Status ChangePlan(grpc::ServerContext* context,
                          const billing::v1::ChangePlanRequest* request,
                          billing::v1::Subscription* response) override;
  grpc::Status ConsumeQuota(grpc::ServerContext* context,
                            const billing::v1::ConsumeQuotaRequest* request,
                            billing::v1::ConsumeQuotaResponse* response) override;
  grpc::Status RecordTokenUsage(grpc::ServerContext* context,
                                const billing::v1::RecordTokenUsageRequest* request,
                                billing::v1::RecordTokenUsageResponse* response) override;
  grpc::Status ListDailyUsage(grpc::ServerContext* context,
                              const billing::v1::ListDailyUsageRequest* request,
                              billing::v1::ListDailyUsageResponse* response) override;

 private:
  std::shared_ptr<SubscriptionManager> manager_;
};

}  // namespace botfactory::subscription
