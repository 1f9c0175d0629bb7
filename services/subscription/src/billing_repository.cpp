#include "billing_repository.hpp"

namespace botfactory::subscription::billing_repository {
namespace {

// Microsecond timestamps cross the wire as integers, converted exactly on both sides.
#define BF_MICROS(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define BF_FROM_MICROS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 microsecond')"

constexpr const char* kPlanColumns =
    "p.code, p.name, p.price_cents, p.currency, p.trial_days, p.max_bots, "
    "p.max_replies_per_month, p.max_knowledge_bytes, p.max_channels, p.max_tokens_per_month, "
    "p.max_storage_bytes, p.max_seats";

constexpr const char* kListPlans =
    "SELECT code, name, price_cents, currency, trial_days, max_bots, max_replies_per_month, "
    "max_knowledge_bytes, max_channels, max_tokens_per_month, "
    "max_storage_bytes, max_seats FROM billing.plans ORDER BY sort_order, code";

constexpr const char* kFindPlan =
    "SELECT code, name, price_cents, currency, trial_days, max_bots, max_replies_per_month, "
    "max_knowledge_bytes, max_channels, max_tokens_per_month, "
    "max_storage_bytes, max_seats FROM billing.plans WHERE code = $1";

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

constexpr const char* kAddUsage =
    "INSERT INTO billing.usage AS u (tenant_id, period_start, resource, used) "
    "VALUES ($1::uuid, " BF_FROM_MICROS("$2") ", $3, $4::bigint) "
    "ON CONFLICT (tenant_id, period_start, resource) DO UPDATE SET used = u.used + EXCLUDED.used "
    "RETURNING used";

constexpr const char* kInsertRecordedReply =
    "INSERT INTO billing.recorded_replies (tenant_id, reply_id, bot_id, provider, model, "
    "prompt_tokens, completion_tokens, recorded_at) "
    "VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6::bigint, $7::bigint, " BF_FROM_MICROS("$8") ") "
    "ON CONFLICT (tenant_id, reply_id) DO NOTHING";

constexpr const char* kAddDailyTokens =
    "INSERT INTO billing.token_usage_daily AS d (tenant_id, bot_id, day, replies, prompt_tokens, "
    "completion_tokens) VALUES ($1::uuid, $2::uuid, $3::date, 1, $4::bigint, $5::bigint) "
    "ON CONFLICT (tenant_id, day, bot_id) DO UPDATE SET replies = d.replies + 1, "
    "prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens, "
    "completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens";

// DELETE has no LIMIT: the batch is chosen by ctid through the recorded_at index.
constexpr const char* kPruneRecordedReplies =
    "DELETE FROM billing.recorded_replies WHERE ctid = ANY (ARRAY("
    "SELECT ctid FROM billing.recorded_replies WHERE recorded_at < " BF_FROM_MICROS("$1")
    " LIMIT $2::integer))";

constexpr const char* kDailyTokens =
    "SELECT to_char(day, 'YYYY-MM-DD'), bot_id, replies, prompt_tokens, completion_tokens "
    "FROM billing.token_usage_daily WHERE tenant_id = $1::uuid AND day BETWEEN $2::date AND "
    "$3::date ORDER BY day, bot_id LIMIT $4::integer";

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
  p.max_tokens_per_month = r.int64(row, first + 9);
  p.max_storage_bytes = r.int64(row, first + 10);  // tidy: attachment storage (V003)
  p.max_seats = static_cast<std::int32_t>(r.int64(row, first + 11));  // team accounts (V004)
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

std::int64_t add_usage(pg::Connection& conn, const std::string& tenant_id,
                       std::int64_t period_start_us, const std::string& resource,
                       std::int64_t amount) {
  auto r = conn.exec(kAddUsage, {tenant_id, std::to_string(period_start_us), resource,
                                 std::to_string(amount)});
  return r.int64(0, 0);
}

bool insert_recorded_reply(pg::Connection& conn, const ReplyTokens& reply, std::int64_t now_us) {
  return conn.exec(kInsertRecordedReply,
                   {reply.tenant_id, reply.reply_id, reply.bot_id, reply.provider, reply.model,
                    std::to_string(reply.prompt_tokens), std::to_string(reply.completion_tokens),
                    std::to_string(now_us)})
             .affected() > 0;
}

void add_daily_tokens(pg::Connection& conn, const ReplyTokens& reply, const std::string& day) {
  conn.exec(kAddDailyTokens, {reply.tenant_id, reply.bot_id, day,
                              std::to_string(reply.prompt_tokens),
                              std::to_string(reply.completion_tokens)});
}

std::int64_t prune_recorded_replies(pg::Connection& conn, std::int64_t before_us, int max_rows) {
  return conn.exec(kPruneRecordedReplies, {std::to_string(before_us), std::to_string(max_rows)})
      .affected();
}

std::vector<DailyTokens> daily_tokens(pg::Connection& conn, const std::string& tenant_id,
                                      const std::string& first_day, const std::string& last_day,
                                      int max_rows) {
  auto r = conn.exec(kDailyTokens, {tenant_id, first_day, last_day, std::to_string(max_rows)});
  std::vector<DailyTokens> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    rows.push_back({r.str(i, 0), r.str(i, 1), r.int64(i, 2), r.int64(i, 3), r.int64(i, 4)});
  }
  return rows;
}

}  // namespace botfactory::subscription::billing_repository
