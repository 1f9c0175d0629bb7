#pragma once
// Plans, subscriptions, usage quotas and model-token metering: the logic behind
// SubscriptionService.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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
enum class Resource { kBotReplies, kModelTokens };

/// Bounds of RecordTokenUsage and ListDailyUsage (docs/api.md, "Usage").
/// reply_id length in bytes (the bot message's client_id).
inline constexpr std::size_t kMaxReplyIdBytes = 100;
/// provider and model name length in bytes.
inline constexpr std::size_t kMaxModelNameBytes = 100;
/// Prompt or completion tokens of one reply (far above any model's context window; keeps the
/// sums far from int64 overflow).
inline constexpr std::int64_t kMaxTokensPerReply = 100'000'000;
/// Recorded reply ids older than this are pruned: a retry of the same reply after it adds the
/// tokens again. Retries come within seconds.
inline constexpr std::int64_t kReplyIdRetentionUs = 7 * 86'400'000'000LL;
/// Pruning runs at most once per this interval per process, deleting at most kPruneBatch rows.
inline constexpr std::int64_t kPruneIntervalUs = 60'000'000;
inline constexpr int kPruneBatch = 5000;
/// ListDailyUsage window, in UTC days (today included), and its row cap.
inline constexpr int kMaxUsageDays = 90;
inline constexpr int kMaxDailyUsageRows = 10000;

/// A tenant's subscription in its current period with the usage of that period.
struct SubscriptionInfo {
  std::string tenant_id;
  PlanInfo plan;
  Status status = Status::kTrialing;
  std::int64_t period_start_us = 0;
  std::int64_t period_end_us = 0;
  std::int64_t bot_replies_used = 0;
  std::int64_t model_tokens_used = 0;  // prompt + completion tokens in the current period
};

/// The answer to a successful ConsumeQuota.
struct QuotaGrant {
  std::int64_t used = 0;   // total consumed in the current period, including this call
  std::int64_t limit = 0;  // the plan's limit for the period
  std::int64_t tokens_used = 0;   // model tokens in the current period
  std::int64_t tokens_limit = 0;  // the plan's monthly token allowance
};

/// The answer to RecordTokenUsage.
struct TokenUsageResult {
  std::int64_t tokens_used = 0;   // model tokens in the current period, this reply included
  std::int64_t tokens_limit = 0;  // the plan's monthly token allowance
  bool duplicate = false;         // the reply_id was recorded before: nothing added
};

/// The tenant's daily usage over a window of UTC days.
struct DailyUsageReport {
  std::string first_day;  // "YYYY-MM-DD"
  std::string last_day;   // "YYYY-MM-DD", today
  std::vector<DailyTokens> rows;  // by day, then bot_id; only days with recorded replies
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
  /// Every grant also carries the period's model tokens and allowance; for kModelTokens
  /// "quota exceeded: N of M model tokens used this period".
  QuotaGrant consume_quota(const std::string& tenant_id, Resource resource, std::int64_t amount);

  /// Records one reply's model tokens: +1 reply and its tokens on the (tenant, bot, UTC day of
  /// now) row and prompt + completion added to the period's model tokens, in one transaction.
  /// Idempotent on (tenant_id, reply_id) for kReplyIdRetentionUs: a repeat adds nothing and says
  /// `duplicate`. Never refuses for the allowance (nor for an expired trial): the reply was
  /// already generated. INVALID_ARGUMENT for a malformed tenant or bot id, a reply_id empty or
  /// over kMaxReplyIdBytes, provider/model over kMaxModelNameBytes, control characters or
  /// invalid UTF-8 in those, tokens outside [0, kMaxTokensPerReply]; NOT_FOUND when the tenant
  /// has no subscription (a reply is always preceded by ConsumeQuota, which starts the trial).
  TokenUsageResult record_token_usage(const ReplyTokens& reply);

  /// The tenant's replies and tokens per bot and UTC day for the last `days` days (today
  /// included), at most kMaxDailyUsageRows rows. INVALID_ARGUMENT for a malformed tenant or
  /// `days` outside [1, kMaxUsageDays]. A tenant with no recorded usage gets no rows.
  DailyUsageReport list_daily_usage(const std::string& tenant_id, int days);

 private:
  /// The stored subscription brought up to `now_us` (trial started when `start_trial` and the
  /// tenant has none, expiry and period roll applied and persisted); nullopt when the tenant has
  /// none and `start_trial` is false.
  std::optional<StoredSubscription> current(pg::Connection& conn, const std::string& tenant_id,
                                            std::int64_t now_us, bool start_trial);
  /// current() with start_trial: never empty.
  StoredSubscription current(pg::Connection& conn, const std::string& tenant_id,
                             std::int64_t now_us);
  SubscriptionInfo with_usage(pg::Connection& conn, const StoredSubscription& stored);
  /// Deletes expired recorded reply ids, at most once per kPruneIntervalUs; failures are logged.
  void maybe_prune(pg::Connection& conn, std::int64_t now_us);

  std::shared_ptr<pg::Pool> pool_;
  Clock clock_;
  std::atomic<std::int64_t> last_prune_us_{INT64_MIN};
};

}  // namespace botfactory::subscription
