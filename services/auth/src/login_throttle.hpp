#pragma once
// Per-account login throttling with growing back-off (OWASP Authentication Cheat Sheet,
// "Login Throttling"; Blocking Brute Force Attacks): pure rules, no I/O. The Authenticator
// stores the state per normalized e-mail in auth.login_failures.

#include <chrono>
#include <cstdint>
#include <optional>

namespace botfactory::auth {

/// The throttle's settings. After `free_failures` failures the account is blocked for
/// `base_backoff`, doubling with every further failure up to `max_backoff`. The count is
/// forgotten once there was no failure for `window` after the last block ended.
struct LoginThrottlePolicy {
  int free_failures = 5;                            // LOGIN_THROTTLE_FAILURES (0 = throttle off)
  std::chrono::seconds window{900};                 // LOGIN_THROTTLE_WINDOW_S
  std::chrono::seconds base_backoff{1};
  std::chrono::seconds max_backoff{900};            // LOGIN_THROTTLE_MAX_BACKOFF_S
  bool enabled() const { return free_failures > 0; }
};

/// The stored state of one account. Times are microseconds since the Unix epoch.
struct FailureRecord {
  int failures = 0;
  std::int64_t blocked_until_us = 0;  // 0 or a past time = not blocked
  std::int64_t expires_at_us = 0;     // after this the record counts as absent
};

/// The block that follows the `failures`-th failure: zero below free_failures, else
/// base_backoff * 2^(failures - free_failures), at most max_backoff. Microseconds.
std::int64_t backoff_us(const LoginThrottlePolicy& policy, int failures);

/// The state after one more failure at `now_us`, given the stored one (absent or expired =
/// a fresh count).
FailureRecord after_failure(const LoginThrottlePolicy& policy,
                            const std::optional<FailureRecord>& previous, std::int64_t now_us);

/// Whole seconds (rounded up, >= 1) until `record` allows another attempt, or std::nullopt when
/// it allows one now.
std::optional<int> retry_after_s(const std::optional<FailureRecord>& record, std::int64_t now_us);

}  // namespace botfactory::auth
