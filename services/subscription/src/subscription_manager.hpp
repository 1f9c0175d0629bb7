#pragma once
// Plans, subscriptions and usage quotas: the logic behind SubscriptionService.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "billing_repository.hpp"
#include "botfactory/pg/pool.hpp"

namespace botfactory::subscription {

/// Wall clock in microseconds since the Unix epoch; injected so periods and expiry are testable.
using Clock = std::function<std::int64_t()>;

/// std::chrono::system_clock::now() in microseconds since the Unix epoch.
std::int64_t system_clock_micros();

/// Effective state of a subscription at the time it was read.
enum class Status { kTrialing, kActive, kExpired };

/// Metered resources.
enum class Resource { kBotReplies };

/// A tenant's subscription in its current period with the usage of that period.
struct SubscriptionInfo {
  std::string tenant_id;
  PlanInfo plan;
  Status status = Status::kTrialing;
  std::int64_t period_start_us = 0;
  std::int64_t period_end_us = 0;
  std::int64_t bot_replies_used = 0;
};

/// The answer to a successful ConsumeQuota.
struct QuotaGrant {
  std::int64_t used = 0;   // total consumed in the current period, including this call
  std::int64_t limit = 0;  // the plan's limit for the period
};

/// Implements the SubscriptionService RPCs (proto/botfactory/billing/v1/billing.proto) over the
/// `billing` schema. A tenant without a subscription is put on the trial when first seen. Trials
/// end after the plan's trial_days (status EXPIRED, quota refused); paid periods are monthly from
/// the billing anchor and roll forward when read. Failures are rpc::StatusError. Thread-safe.
class SubscriptionManager {
 public:
  explicit SubscriptionManager(std::shared_ptr<pg::Pool> pool, Clock clock = system_clock_micros);

  /// The plan catalog in display order.
  std::vector<PlanInfo> list_plans();

  /// The tenant's subscription (starting the trial if it has none) with current usage.
  /// INVALID_ARGUMENT when `tenant_id` is not a UUID.
  SubscriptionInfo get_subscription(const std::string& tenant_id);

  /// Starts the trial unless the tenant already has a subscription; returns the current one.
  SubscriptionInfo start_trial(const std::string& tenant_id);

  /// Moves the tenant to a paid plan with a new monthly period starting now (usage of the new
  /// period starts at 0). Choosing the plan the tenant is already active on changes nothing.
  /// NOT_FOUND for an unknown code, INVALID_ARGUMENT for the trial plan.
  SubscriptionInfo change_plan(const std::string& tenant_id, const std::string& plan_code);

  /// Consumes `amount` (>= 1) units of `resource` in the current period, atomically: concurrent
  /// calls never pass the limit. RESOURCE_EXHAUSTED "quota exceeded: N of M bot replies used
  /// this period" (nothing consumed), or "quota exceeded: trial expired".
  QuotaGrant consume_quota(const std::string& tenant_id, Resource resource, std::int64_t amount);

 private:
  /// The stored subscription brought up to `now_us` (trial started, expiry and period roll
  /// applied and persisted).
  StoredSubscription current(pg::Connection& conn, const std::string& tenant_id,
                             std::int64_t now_us);
  SubscriptionInfo with_usage(pg::Connection& conn, const StoredSubscription& stored);

  std::shared_ptr<pg::Pool> pool_;
  Clock clock_;
};

}  // namespace botfactory::subscription
