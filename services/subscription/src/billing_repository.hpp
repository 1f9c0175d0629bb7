#pragma once
// SQL access to the `billing` schema: plans, subscriptions, usage. Stateless; every function
// runs on the caller's connection. Times are microseconds since the Unix epoch.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/pg/connection.hpp"

namespace botfactory::subscription {

/// One row of the plan catalog.
struct PlanInfo {
  std::string code;
  std::string name;
  std::int64_t price_cents = 0;  // per month
  std::string currency;          // ISO 4217
  std::int32_t trial_days = 0;
  std::int32_t max_bots = 0;
  std::int64_t max_replies_per_month = 0;
  std::int64_t max_knowledge_bytes = 0;
  std::int32_t max_channels = 0;
};

/// A subscription row with its plan, as stored (status text: trialing|active|expired).
struct StoredSubscription {
  std::string tenant_id;
  PlanInfo plan;
  std::string status;
  std::int64_t billing_anchor_us = 0;
  std::int64_t period_start_us = 0;
  std::int64_t period_end_us = 0;
};

namespace billing_repository {

/// Stored status values.
inline constexpr const char* kTrialing = "trialing";
inline constexpr const char* kActive = "active";
inline constexpr const char* kExpired = "expired";
/// Code of the free trial plan.
inline constexpr const char* kTrialPlan = "trial";

/// Every plan in catalog order (sort_order).
std::vector<PlanInfo> list_plans(pg::Connection& conn);

/// The plan with `code`.
std::optional<PlanInfo> find_plan(pg::Connection& conn, const std::string& code);

/// Puts `tenant_id` on the trial from `now_us` for the trial plan's trial_days, unless it
/// already has a subscription (ON CONFLICT DO NOTHING). Returns whether a row was inserted.
bool insert_trial(pg::Connection& conn, const std::string& tenant_id, std::int64_t now_us);

/// The tenant's subscription joined with its plan.
std::optional<StoredSubscription> find_subscription(pg::Connection& conn,
                                                    const std::string& tenant_id);

/// Marks a trialing subscription expired (no-op for other states).
void mark_trial_expired(pg::Connection& conn, const std::string& tenant_id);

/// Moves an active subscription's current period forward to [start_us, end_us) if it is still
/// on an earlier one (concurrent readers compute the same period, so the race is benign).
void roll_period(pg::Connection& conn, const std::string& tenant_id, std::int64_t start_us,
                 std::int64_t end_us);

/// Sets the plan, status active, the billing anchor and the current period to
/// [start_us, end_us), inserting the subscription if the tenant had none.
void set_paid_plan(pg::Connection& conn, const std::string& tenant_id, const std::string& plan_code,
                   std::int64_t start_us, std::int64_t end_us);

/// Changes only the plan of an existing subscription: status, anchor, period and usage stay.
void set_plan(pg::Connection& conn, const std::string& tenant_id, const std::string& plan_code);

/// Units of `resource` used in the period starting at `period_start_us` (0 when none).
std::int64_t used(pg::Connection& conn, const std::string& tenant_id,
                  std::int64_t period_start_us, const std::string& resource);

/// Atomically adds `amount` to the usage counter if the result stays <= `limit`, in a single
/// INSERT ... ON CONFLICT DO UPDATE ... WHERE statement (the conflicting row is locked and
/// re-checked, so concurrent callers can never pass the limit). The new total, or std::nullopt
/// when it would pass the limit (nothing consumed).
std::optional<std::int64_t> try_consume(pg::Connection& conn, const std::string& tenant_id,
                                        std::int64_t period_start_us, const std::string& resource,
                                        std::int64_t amount, std::int64_t limit);

}  // namespace billing_repository
}  // namespace botfactory::subscription
