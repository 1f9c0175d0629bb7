#include "subscription_grpc_service.hpp"

#include "botfactory/rpc/call_metrics.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::subscription {
namespace {

namespace v1 = botfactory::billing::v1;

constexpr const char* kService = "botfactory.billing.v1.SubscriptionService";

void to_proto(const PlanInfo& plan, v1::Plan* out) {
  out->set_code(plan.code);
  out->set_name(plan.name);
  out->set_price_cents(plan.price_cents);
  out->set_currency(plan.currency);
  out->set_trial_days(plan.trial_days);
  auto* limits = out->mutable_limits();
  limits->set_max_bots(plan.max_bots);
  limits->set_max_replies_per_month(plan.max_replies_per_month);
  limits->set_max_knowledge_bytes(plan.max_knowledge_bytes);
  limits->set_max_channels(plan.max_channels);
}

v1::SubscriptionStatus to_proto(Status status) {
  switch (status) {
    case Status::kTrialing: return v1::SUBSCRIPTION_STATUS_TRIALING;
    case Status::kActive: return v1::SUBSCRIPTION_STATUS_ACTIVE;
    case Status::kExpired: return v1::SUBSCRIPTION_STATUS_EXPIRED;
  }
  return v1::SUBSCRIPTION_STATUS_UNSPECIFIED;
}

void to_proto(const SubscriptionInfo& info, v1::Subscription* out) {
  out->set_tenant_id(info.tenant_id);
  to_proto(info.plan, out->mutable_plan());
  out->set_status(to_proto(info.status));
  *out->mutable_current_period_start() = rpc::timestamp_from_micros(info.period_start_us);
  *out->mutable_current_period_end() = rpc::timestamp_from_micros(info.period_end_us);
  out->mutable_usage()->set_bot_replies(info.bot_replies_used);
}

Resource resource_from_proto(v1::Resource resource) {
  switch (resource) {
    case v1::RESOURCE_BOT_REPLIES: return Resource::kBotReplies;
    default: rpc::throw_invalid("resource must be RESOURCE_BOT_REPLIES");
  }
}

}  // namespace

grpc::Status SubscriptionGrpcService::ListPlans(grpc::ServerContext*, const v1::ListPlansRequest*,
                                                v1::ListPlansResponse* response) {
  return rpc::metered_guard(kService, "ListPlans", [&] {
    for (const auto& plan : manager_->list_plans()) to_proto(plan, response->add_plans());
  });
}

grpc::Status SubscriptionGrpcService::GetSubscription(grpc::ServerContext*,
                                                      const v1::GetSubscriptionRequest* request,
                                                      v1::Subscription* response) {
  return rpc::metered_guard(kService, "GetSubscription", [&] {
    to_proto(manager_->get_subscription(request->tenant_id()), response);
  });
}

grpc::Status SubscriptionGrpcService::StartTrial(grpc::ServerContext*,
                                                 const v1::StartTrialRequest* request,
                                                 v1::Subscription* response) {
  return rpc::metered_guard(kService, "StartTrial", [&] {
    to_proto(manager_->start_trial(request->tenant_id()), response);
  });
}

grpc::Status SubscriptionGrpcService::ChangePlan(grpc::ServerContext*,
                                                 const v1::ChangePlanRequest* request,
                                                 v1::Subscription* response) {
  return rpc::metered_guard(kService, "ChangePlan", [&] {
    to_proto(manager_->change_plan(request->tenant_id(), request->plan_code()), response);
  });
}

grpc::Status SubscriptionGrpcService::ConsumeQuota(grpc::ServerContext*,
                                                   const v1::ConsumeQuotaRequest* request,
                                                   v1::ConsumeQuotaResponse* response) {
  return rpc::metered_guard(kService, "ConsumeQuota", [&] {
    auto grant = manager_->consume_quota(request->tenant_id(),
                                         resource_from_proto(request->resource()), request->amount());
    response->set_used(grant.used);
    response->set_limit(grant.limit);
  });
}

}  // namespace botfactory::subscription
