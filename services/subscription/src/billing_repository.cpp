#include "billing_repository.hpp"

namespace botfactory::subscription::billing_repository {
namespace {

// Microsecond timestamps cross the wire as integers, converted exactly on both sides.
#define BF_MICROS(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define BF_FROM_MICROS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 microsecond')"

constexpr const char* kPlanColumns =
    "p.code, p.name, p.price_cents, p.currency, p.trial_days, p.max_bots, "
    "p.max_replies_per_month, p.max_knowledge_bytes, p.max_channels";

constexpr const char* kListPlans =
    "SELECT code, name, price_cents, currency, trial_days, max_bots, max_replies_per_month, "
    "max_knowledge_bytes, max_channels FROM billing.plans ORDER BY sort_order, code";

constexpr const char* kFindPlan =
    "SELECT code, name, price_cents, currency, trial_days, max_bots, max_replies_per_month, "
    "max_knowledge_bytes, max_channels FROM billing.plans WHERE code = $1";

// Trial length in whole 24-hour days (absolute time, independent of the session time zone).
constexpr const char* kInsertTrial =
    "INSERT INTO billing.subscriptions (tenant_id, plan_code, status, billing_anchor, "
    "current_period_start, current_period_end) "
    "SELECT $1::uuid, code, 'trialing', " BF_FROM_MICROS("$2") ", " BF_FROM_MICROS("$2") ", "
    BF_FROM_MICROS("$2") " + trial_days * interval '24 hours' "
    "FROM billing.plans WHERE code = 'trial' "
    "ON CONFLICT (tenant_id) DO NOTHING";

constexpr const char* kFindSubscriptionPrefix =
    "SELECT s.tenant_id, s.status, " BF_MICROS("s.billing_anchor") ", "
    BF_MICROS("s.current_period_start") ", " BF_MICROS("s.current_period_end") ", ";
constexpr const char* kFindSubscriptionSuffix =
    " FROM billing.subscriptions s JOIN billing.plans p ON p.code = s.plan_code "
    "WHERE s.tenant_id = $1::uuid";

constexpr const char* kMarkTrialExpired =
    "UPDATE billing.subscriptions SET status = 'expired', updated_at = now() "
    "WHERE tenant_id = $1::uuid AND status = 'trialing'";

constexpr const char* kRollPeriod =
    "UPDATE billing.subscriptions SET current_period_start = " BF_FROM_MICROS("$2") ", "
    "current_period_end = " BF_FROM_MICROS("$3") ", updated_at = now() "
    "WHERE tenant_id = $1::uuid AND status = 'active' "
    "AND current_period_start < " BF_FROM_MICROS("$2");

constexpr const char* kSetPaidPlan =
    "INSERT INTO billing.subscriptions (tenant_id, plan_code, status, billing_anchor, "
    "current_period_start, current_period_end) "
    "VALUES ($1::uuid, $2, 'active', " BF_FROM_MICROS("$3") ", " BF_FROM_MICROS("$3") ", "
    BF_FROM_MICROS("$4") ") "
    "ON CONFLICT (tenant_id) DO UPDATE SET plan_code = EXCLUDED.plan_code, status = 'active', "
    "billing_anchor = EXCLUDED.billing_anchor, "
    "current_period_start = EXCLUDED.current_period_start, "
    "current_period_end = EXCLUDED.current_period_end, updated_at = now()";

constexpr const char* kSetPlan =
    "UPDATE billing.subscriptions SET plan_code = $2, updated_at = now() "
    "WHERE tenant_id = $1::uuid";

constexpr const char* kUsed =
    "SELECT used FROM billing.usage WHERE tenant_id = $1::uuid "
    "AND period_start = " BF_FROM_MICROS("$2") " AND resource = $3";

// The WHERE on the SELECT refuses a first consumption above the limit; the WHERE on DO UPDATE
// is evaluated on the locked, latest row version, so the check and the increment are atomic.
constexpr const char* kTryConsume =
    "INSERT INTO billing.usage AS u (tenant_id, period_start, resource, used) "
    "SELECT $1::uuid, " BF_FROM_MICROS("$2") ", $3, $4::bigint WHERE $4::bigint <= $5::bigint "
    "ON CONFLICT (tenant_id, period_start, resource) "
    "DO UPDATE SET used = u.used + EXCLUDED.used WHERE u.used + EXCLUDED.used <= $5::bigint "
    "RETURNING used";

#undef BF_MICROS
#undef BF_FROM_MICROS

PlanInfo plan_from_row(const pg::Result& r, int row, int first) {
  PlanInfo p;
  p.code = r.str(row, first);
  p.name = r.str(row, first + 1);
  p.price_cents = r.int64(row, first + 2);
  p.currency = r.str(row, first + 3);
  p.trial_days = static_cast<std::int32_t>(r.int64(row, first + 4));
  p.max_bots = static_cast<std::int32_t>(r.int64(row, first + 5));
  p.max_replies_per_month = r.int64(row, first + 6);
  p.max_knowledge_bytes = r.int64(row, first + 7);
  p.max_channels = static_cast<std::int32_t>(r.int64(row, first + 8));
  return p;
}

}  // namespace

std::vector<PlanInfo> list_plans(pg::Connection& conn) {
  auto r = conn.exec(kListPlans);
  std::vector<PlanInfo> plans;
  plans.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) plans.push_back(plan_from_row(r, i, 0));
  return plans;
}

std::optional<PlanInfo> find_plan(pg::Connection& conn, const std::string& code) {
  auto r = conn.exec(kFindPlan, {code});
  if (r.rows() == 0) return std::nullopt;
  return plan_from_row(r, 0, 0);
}

bool insert_trial(pg::Connection& conn, const std::string& tenant_id, std::int64_t now_us) {
  return conn.exec(kInsertTrial, {tenant_id, std::to_string(now_us)}).affected() > 0;
}

std::optional<StoredSubscription> find_subscription(pg::Connection& conn,
                                                    const std::string& tenant_id) {
  static const std::string sql =
      std::string(kFindSubscriptionPrefix) + kPlanColumns + kFindSubscriptionSuffix;
  auto r = conn.exec(sql, {tenant_id});
  if (r.rows() == 0) return std::nullopt;
  StoredSubscription s;
  s.tenant_id = r.str(0, 0);
  s.status = r.str(0, 1);
  s.billing_anchor_us = r.int64(0, 2);
  s.period_start_us = r.int64(0, 3);
  s.period_end_us = r.int64(0, 4);
  s.plan = plan_from_row(r, 0, 5);
  return s;
}

void mark_trial_expired(pg::Connection& conn, const std::string& tenant_id) {
  conn.exec(kMarkTrialExpired, {tenant_id});
}

void roll_period(pg::Connection& conn, const std::string& tenant_id, std::int64_t start_us,
                 std::int64_t end_us) {
  conn.exec(kRollPeriod, {tenant_id, std::to_string(start_us), std::to_string(end_us)});
}

void set_paid_plan(pg::Connection& conn, const std::string& tenant_id, const std::string& plan_code,
                   std::int64_t start_us, std::int64_t end_us) {
  conn.exec(kSetPaidPlan,
            {tenant_id, plan_code, std::to_string(start_us), std::to_string(end_us)});
}

void set_plan(pg::Connection& conn, const std::string& tenant_id, const std::string& plan_code) {
  conn.exec(kSetPlan, {tenant_id, plan_code});
}

std::int64_t used(pg::Connection& conn, const std::string& tenant_id,
                  std::int64_t period_start_us, const std::string& resource) {
  auto r = conn.exec(kUsed, {tenant_id, std::to_string(period_start_us), resource});
  return r.rows() == 0 ? 0 : r.int64(0, 0);
}

std::optional<std::int64_t> try_consume(pg::Connection& conn, const std::string& tenant_id,
                                        std::int64_t period_start_us, const std::string& resource,
                                        std::int64_t amount, std::int64_t limit) {
  auto r = conn.exec(kTryConsume, {tenant_id, std::to_string(period_start_us), resource,
                                   std::to_string(amount), std::to_string(limit)});
  if (r.rows() == 0) return std::nullopt;
  return r.int64(0, 0);
}

}  // namespace botfactory::subscription::billing_repository
