#include "subscription_manager.hpp"

#include <chrono>
#include <limits>
#include <stdexcept>

#include "billing_period.hpp"
#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"

namespace botfactory::subscription {
namespace {

constexpr std::int64_t kNeverPruned = std::numeric_limits<std::int64_t>::min();

Status status_of(const std::string& stored) {
  if (stored == billing_repository::kActive) return Status::kActive;
  if (stored == billing_repository::kExpired) return Status::kExpired;
  return Status::kTrialing;
}

/// INVALID_ARGUMENT unless `value` is valid UTF-8 of at most `max_bytes` bytes without control
/// characters (common::find_control_char: NUL must never reach libpq; and, these being
/// identifiers, no tab or line break either), and not empty when `required`.
void require_text(const char* field, const std::string& value, std::size_t max_bytes,
                  bool required) {
  if (required && value.empty()) rpc::throw_invalid(std::string(field) + " is required");
  if (value.size() > max_bytes) {
    rpc::throw_invalid(std::string(field) + " must be at most " + std::to_string(max_bytes) +
                       " bytes");
  }
  if (!common::is_valid_utf8(value) || common::find_control_char(value) != std::string::npos ||
      value.find_first_of("\t\n\r") != std::string::npos) {
    rpc::throw_invalid(std::string(field) + " must be UTF-8 text without control characters");
  }
}

void require_tokens(const char* field, std::int64_t tokens) {
  if (tokens < 0 || tokens > kMaxTokensPerReply) {
    rpc::throw_invalid(std::string(field) + " must be in [0, " +
                       std::to_string(kMaxTokensPerReply) + "]");
  }
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
  return *current(conn, tenant_id, now_us, /*start_trial=*/true);
}

std::optional<StoredSubscription> SubscriptionManager::current(pg::Connection& conn,
                                                               const std::string& tenant_id,
                                                               std::int64_t now_us,
                                                               bool start_trial) {
  auto stored = billing_repository::find_subscription(conn, tenant_id);
  if (!stored) {
    if (!start_trial) return std::nullopt;
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
  return stored;
}

SubscriptionInfo SubscriptionManager::with_usage(pg::Connection& conn,
                                                 const StoredSubscription& stored) {
  SubscriptionInfo info;
  info.tenant_id = stored.tenant_id;
  info.plan = stored.plan;
  info.status = status_of(stored.status);
  info.period_start_us = stored.period_start_us;
  info.period_end_us = stored.period_end_us;
  info.bot_replies_used = billing_repository::used(conn, stored.tenant_id, stored.period_start_us,
                                                   billing_repository::kBotReplies);
  info.model_tokens_used = billing_repository::used(conn, stored.tenant_id, stored.period_start_us,
                                                    billing_repository::kModelTokens);
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
  const char* stored_resource = billing_repository::kBotReplies;
  const char* unit = "bot replies";
  std::int64_t limit = stored.plan.max_replies_per_month;
  if (resource == Resource::kModelTokens) {
    stored_resource = billing_repository::kModelTokens;
    unit = "model tokens";
    limit = stored.plan.max_tokens_per_month;
  }
  auto used = billing_repository::try_consume(*conn, tenant_id, stored.period_start_us,
                                              stored_resource, amount, limit);
  if (!used) {
    auto now_used =
        billing_repository::used(*conn, tenant_id, stored.period_start_us, stored_resource);
    rpc::throw_exhausted("quota exceeded: " + std::to_string(now_used) + " of " +
                         std::to_string(limit) + " " + unit + " used this period");
  }
  QuotaGrant grant{*used, limit, *used, stored.plan.max_tokens_per_month};
  if (resource != Resource::kModelTokens) {
    grant.tokens_used = billing_repository::used(*conn, tenant_id, stored.period_start_us,
                                                 billing_repository::kModelTokens);
  }
  return grant;
}

TokenUsageResult SubscriptionManager::record_token_usage(const ReplyTokens& reply) {
  rpc::require_tenant(reply.tenant_id);
  if (reply.bot_id.empty()) rpc::throw_invalid("bot_id is required");
  if (!common::is_uuid(reply.bot_id)) rpc::throw_invalid("bot_id must be a UUID");
  require_text("reply_id", reply.reply_id, kMaxReplyIdBytes, /*required=*/true);
  require_text("provider", reply.provider, kMaxModelNameBytes, /*required=*/false);
  require_text("model", reply.model, kMaxModelNameBytes, /*required=*/false);
  require_tokens("prompt_tokens", reply.prompt_tokens);
  require_tokens("completion_tokens", reply.completion_tokens);

  auto conn = pool_->acquire();
  const auto now_us = clock_();
  auto stored = current(*conn, reply.tenant_id, now_us, /*start_trial=*/false);
  if (!stored) rpc::throw_not_found("no subscription for tenant " + reply.tenant_id);

  TokenUsageResult result;
  result.tokens_limit = stored->plan.max_tokens_per_month;
  {
    pg::Transaction tx(*conn);
    if (billing_repository::insert_recorded_reply(*conn, reply, now_us)) {
      billing_repository::add_daily_tokens(*conn, reply, utc_date(now_us));
      result.tokens_used = billing_repository::add_usage(
          *conn, reply.tenant_id, stored->period_start_us, billing_repository::kModelTokens,
          reply.prompt_tokens + reply.completion_tokens);
    } else {
      result.duplicate = true;
      result.tokens_used = billing_repository::used(*conn, reply.tenant_id,
                                                    stored->period_start_us,
                                                    billing_repository::kModelTokens);
    }
    tx.commit();
  }
  maybe_prune(*conn, now_us);
  return result;
}

DailyUsageReport SubscriptionManager::list_daily_usage(const std::string& tenant_id, int days) {
  rpc::require_tenant(tenant_id);
  if (days < 1 || days > kMaxUsageDays) {
    rpc::throw_invalid("days must be in [1, " + std::to_string(kMaxUsageDays) + "]");
  }
  const auto now_us = clock_();
  DailyUsageReport report;
  report.last_day = utc_date(now_us);
  report.first_day = utc_date(now_us - static_cast<std::int64_t>(days - 1) * kMicrosPerDay);
  auto conn = pool_->acquire();
  report.rows = billing_repository::daily_tokens(*conn, tenant_id, report.first_day,
                                                 report.last_day, kMaxDailyUsageRows);
  return report;
}

void SubscriptionManager::maybe_prune(pg::Connection& conn, std::int64_t now_us) {
  auto last = last_prune_us_.load();
  if (last != kNeverPruned && now_us - last < kPruneIntervalUs) return;
  if (!last_prune_us_.compare_exchange_strong(last, now_us)) return;  // another thread prunes
  try {
    auto pruned =
        billing_repository::prune_recorded_replies(conn, now_us - kReplyIdRetentionUs, kPruneBatch);
    if (pruned > 0) {
      common::logger("subscription")->info("pruned {} recorded reply ids", pruned);
    }
  } catch (const pg::Error& e) {
    // The reply is recorded; pruning is retried after the next interval.
    common::logger("subscription")->warn("pruning recorded reply ids failed: {}", e.what());
  }
}

}  // namespace botfactory::subscription
