#include "login_throttle.hpp"

#include <algorithm>

namespace botfactory::auth {
namespace {

std::int64_t us(std::chrono::seconds s) { return static_cast<std::int64_t>(s.count()) * 1'000'000; }

}  // namespace

std::int64_t backoff_us(const LoginThrottlePolicy& policy, int failures) {
  if (!policy.enabled() || failures < policy.free_failures) return 0;
  const std::int64_t cap = us(policy.max_backoff);
  std::int64_t delay = us(policy.base_backoff);
  for (int i = policy.free_failures; i < failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

FailureRecord after_failure(const LoginThrottlePolicy& policy,
                            const std::optional<FailureRecord>& previous, std::int64_t now_us) {
  FailureRecord next;
  bool fresh = !previous || previous->expires_at_us <= now_us;
  next.failures = fresh ? 1 : std::min(previous->failures, 1'000'000) + 1;
  auto delay = backoff_us(policy, next.failures);
  next.blocked_until_us = delay > 0 ? now_us + delay : 0;
  next.expires_at_us = std::max(now_us, next.blocked_until_us) + us(policy.window);
  return next;
}

std::optional<int> retry_after_s(const std::optional<FailureRecord>& record, std::int64_t now_us) {
  if (!record || record->blocked_until_us <= now_us) return std::nullopt;
  auto remaining = record->blocked_until_us - now_us;
  return static_cast<int>((remaining + 999'999) / 1'000'000);
}

}  // namespace botfactory::auth
