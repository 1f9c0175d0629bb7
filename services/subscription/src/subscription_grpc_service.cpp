#include "subscription_grpc_service.hpp"

#include "botfactory/rpc/call_metrics.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::subscription {
namespace {

namespace v1 = botfactory::billing::v1;

/// files (issue 11): one chat attachment's cap per plan. In code, not a billing.plans column:
/// this session's migration slots do not include the billing schema (a column is the upgrade
/// path). The trial gets 5 MiB, paid plans 10 MiB (the gateway's ATTACHMENT_MAX_BYTES ceiling).
std::int64_t max_attachment_bytes(const std::string& plan_code) {
  constexpr std::int64_t kMiB = 1024 * 1024;
  return plan_code == "trial" ? 5 * kMiB : 10 * kMiB;
}

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
  limits->set_max_tokens_per_month(plan.max_tokens_per_month);
  limits->set_max_attachment_bytes(max_attachment_bytes(plan.code));  // files
  limits->set_max_seats(plan.max_seats);  // team accounts
  limits->set_max_storage_bytes(plan.max_storage_bytes);  // tidy: attachment storage
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
  out->mutable_usage()->set_model_tokens(info.model_tokens_used);
}

Resource resource_from_proto(v1::Resource resource) {
  switch (resource) {
    case v1::RESOURCE_BOT_REPLIES: return Resource::kBotReplies;
    case v1::RESOURCE_MODEL_TOKENS: return Resource::kModelTokens;
    default: rpc::throw_invalid("resource must be RESOURCE_BOT_REPLIES or RESOURCE_MODEL_TOKENS");
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
    response->set_tokens_used(grant.tokens_used);
    response->set_tokens_limit(grant.tokens_limit);
  });
}

grpc::Status SubscriptionGrpcService::RecordTokenUsage(grpc::ServerContext*,
                                                       const v1::RecordTokenUsageRequest* request,
                                                       v1::RecordTokenUsageResponse* response) {
  return rpc::metered_guard(kService, "RecordTokenUsage", [&] {
    ReplyTokens reply;
    reply.tenant_id = request->tenant_id();
    reply.bot_id = request->bot_id();
    reply.reply_id = request->reply_id();
    reply.provider = request->provider();
    reply.model = request->model();
    reply.prompt_tokens = request->prompt_tokens();
    reply.completion_tokens = request->completion_tokens();
    auto result = manager_->record_token_usage(reply);
    response->set_tokens_used(result.tokens_used);
    response->set_tokens_limit(result.tokens_limit);
    response->set_duplicate(result.duplicate);
  });
}

grpc::Status SubscriptionGrpcService::ListDailyUsage(grpc::ServerContext*,
                                                     const v1::ListDailyUsageRequest* request,
                                                     v1::ListDailyUsageResponse* response) {
  return rpc::metered_guard(kService, "ListDailyUsage", [&] {
    auto report = manager_->list_daily_usage(request->tenant_id(), request->days());
    response->set_first_day(report.first_day);
    response->set_last_day(report.last_day);
    for (const auto& row : report.rows) {
      auto* out = response->add_days();
      out->set_day(row.day);
      out->set_bot_id(row.bot_id);
      out->set_replies(row.replies);
      out->set_prompt_tokens(row.prompt_tokens);
      out->set_completion_tokens(row.completion_tokens);
    }
  });
}

}  // namespace botfactory::subscription
