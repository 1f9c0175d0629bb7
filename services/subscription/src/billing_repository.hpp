#pragma once
// SQL access to the `billing` schema: plans, subscriptions, usage, model-token metering.
// Stateless; every function runs on the caller's connection. Times are microseconds since the
// Unix epoch; days are UTC calendar dates "YYYY-MM-DD".

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
  std::int64_t max_tokens_per_month = 0;  // language-model tokens (prompt + completion)
  std::int32_t max_seats = 0;  // team accounts: users of one tenant (V004)
  std::int64_t max_storage_bytes = 0;  // chat attachments kept at once, bytes (V003)
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

/// One reply's model tokens, as RecordTokenUsage stores it.
struct ReplyTokens {
  std::string tenant_id;
  std::string bot_id;    // UUID
  std::string reply_id;  // idempotency key, 1..100 bytes
  std::string provider;
  std::string model;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

/// One bot's replies and tokens on one UTC day.
struct DailyTokens {
  std::string day;  // "YYYY-MM-DD"
  std::string bot_id;
  std::int64_t replies = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

namespace billing_repository {

/// Stored status values.
inline constexpr const char* kTrialing = "trialing";
inline constexpr const char* kActive = "active";
inline constexpr const char* kExpired = "expired";
/// Code of the free trial plan.
inline constexpr const char* kTrialPlan = "trial";
/// Stored resource names of the `usage` counters.
inline constexpr const char* kBotReplies = "bot_replies";
inline constexpr const char* kModelTokens = "model_tokens";

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

/// Adds `amount` (>= 0) to the usage counter without any limit (INSERT ... ON CONFLICT DO
/// UPDATE, atomic under concurrency). Returns the new total.
std::int64_t add_usage(pg::Connection& conn, const std::string& tenant_id,
                       std::int64_t period_start_us, const std::string& resource,
                       std::int64_t amount);

/// Stores `reply` as recorded at `now_us` unless its (tenant_id, reply_id) is already there
/// (ON CONFLICT DO NOTHING; a concurrent insert of the same key waits for the first to commit).
/// Returns whether it was inserted (false: a duplicate).
bool insert_recorded_reply(pg::Connection& conn, const ReplyTokens& reply, std::int64_t now_us);

/// Adds one reply and its tokens to the (tenant, bot, `day`) row, creating it at zero.
void add_daily_tokens(pg::Connection& conn, const ReplyTokens& reply, const std::string& day);

/// Deletes at most `max_rows` recorded reply ids stored before `before_us`. Returns how many.
std::int64_t prune_recorded_replies(pg::Connection& conn, std::int64_t before_us,
                                    int max_rows);

/// The tenant's daily rows with first_day <= day <= last_day, ordered by day then bot_id, at
/// most `max_rows` of them.
std::vector<DailyTokens> daily_tokens(pg::Connection& conn, const std::string& tenant_id,
                                      const std::string& first_day, const std::string& last_day,
                                      int max_rows);

}  // namespace billing_repository
}  // namespace botfactory::subscription
