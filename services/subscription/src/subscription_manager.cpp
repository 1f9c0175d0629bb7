#include "subscription_manager.hpp"

#include <chrono>
#include <stdexcept>

#include "billing_period.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"

namespace botfactory::subscription {
namespace {

constexpr const char* kBotRepliesResource = "bot_replies";

Status status_of(const std::string& stored) {
  if (stored == billing_repository::kActive) return Status::kActive;
  if (stored == billing_repository::kExpired) return Status::kExpired;
  return Status::kTrialing;
}

}  // namespace

std::int64_t system_clock_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SubscriptionManager::SubscriptionManager(std::shared_ptr<pg::Pool> pool, Clock clock)
    : pool_(std::move(pool)), clock_(std::move(clock)) {}

std::vector<PlanInfo> SubscriptionManager::list_plans() {
  auto conn = pool_->acquire();
  return billing_repository::list_plans(*conn);
}

StoredSubscription SubscriptionManager::current(pg::Connection& conn, const std::string& tenant_id,
                                                std::int64_t now_us) {
  auto stored = billing_repository::find_subscription(conn, tenant_id);
  if (!stored) {
    if (billing_repository::insert_trial(conn, tenant_id, now_us)) {
      common::logger("subscription")->info("tenant {} started the trial", tenant_id);
    }
    stored = billing_repository::find_subscription(conn, tenant_id);
    if (!stored) throw std::runtime_error("subscription missing right after insert");
  }
  if (stored->status == billing_repository::kTrialing && now_us >= stored->period_end_us) {
    billing_repository::mark_trial_expired(conn, tenant_id);
    stored->status = billing_repository::kExpired;
  } else if (stored->status == billing_repository::kActive && now_us >= stored->period_end_us) {
    auto period = monthly_period_containing(stored->billing_anchor_us, now_us);
    billing_repository::roll_period(conn, tenant_id, period.start_us, period.end_us);
    stored->period_start_us = period.start_us;
    stored->period_end_us = period.end_us;
  }
  return *stored;
}

SubscriptionInfo SubscriptionManager::with_usage(pg::Connection& conn,
                                                 const StoredSubscription& stored) {
  SubscriptionInfo info;
  info.tenant_id = stored.tenant_id;
  info.plan = stored.plan;
  info.status = status_of(stored.status);
  info.period_start_us = stored.period_start_us;
  info.period_end_us = stored.period_end_us;
  info.bot_replies_used =
      billing_repository::used(conn, stored.tenant_id, stored.period_start_us, kBotRepliesResource);
  return info;
}

SubscriptionInfo SubscriptionManager::get_subscription(const std::string& tenant_id) {
  rpc::require_tenant(tenant_id);
  auto conn = pool_->acquire();
  return with_usage(*conn, current(*conn, tenant_id, clock_()));
}

SubscriptionInfo SubscriptionManager::start_trial(const std::string& tenant_id) {
  // current() inserts the trial (ON CONFLICT DO NOTHING) when the tenant has no subscription.
  return get_subscription(tenant_id);
}

SubscriptionInfo SubscriptionManager::change_plan(const std::string& tenant_id,
                                                  const std::string& plan_code) {
  rpc::require_tenant(tenant_id);
  auto conn = pool_->acquire();
  auto plan = billing_repository::find_plan(*conn, plan_code);
  if (!plan) rpc::throw_not_found("plan not found: " + plan_code);
  if (plan->code == billing_repository::kTrialPlan || plan->trial_days > 0) {
    rpc::throw_invalid("the trial plan cannot be chosen");
  }
  auto now_us = clock_();
  auto stored = current(*conn, tenant_id, now_us);
  if (stored.plan.code == plan->code && stored.status == billing_repository::kActive) {
    return with_usage(*conn, stored);
  }
  if (stored.status == billing_repository::kActive) {
    // Between paid plans the period and its usage stay: switching back and forth must not
    // reset the quota. The new plan's limits apply to what was already used.
    billing_repository::set_plan(*conn, tenant_id, plan->code);
  } else {
    // Leaving the trial (running or expired) starts the first paid period now.
    billing_repository::set_paid_plan(*conn, tenant_id, plan->code, now_us,
                                      add_months_utc(now_us, 1));
  }
  common::logger("subscription")
      ->info("tenant {} changed plan from {} to {}", tenant_id, stored.plan.code, plan->code);
  return with_usage(*conn, current(*conn, tenant_id, now_us));
}

QuotaGrant SubscriptionManager::consume_quota(const std::string& tenant_id, Resource resource,
                                              std::int64_t amount) {
  rpc::require_tenant(tenant_id);
  if (amount < 1) rpc::throw_invalid("amount must be at least 1");
  auto conn = pool_->acquire();
  auto stored = current(*conn, tenant_id, clock_());
  if (stored.status == billing_repository::kExpired) {
    rpc::throw_exhausted("quota exceeded: trial expired");
  }
  std::int64_t limit = 0;
  switch (resource) {
    case Resource::kBotReplies:
      limit = stored.plan.max_replies_per_month;
      break;
  }
  auto used = billing_repository::try_consume(*conn, tenant_id, stored.period_start_us,
                                              kBotRepliesResource, amount, limit);
  if (!used) {
    auto now_used =
        billing_repository::used(*conn, tenant_id, stored.period_start_us, kBotRepliesResource);
    rpc::throw_exhausted("quota exceeded: " + std::to_string(now_used) + " of " +
                         std::to_string(limit) + " bot replies used this period");
  }
  return {*used, limit};
}

}  // namespace botfactory::subscription
