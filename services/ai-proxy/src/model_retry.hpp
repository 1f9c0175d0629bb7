#pragma once
// When a failed model request is tried again, and after how long (exponential back-off with
// jitter: AWS Architecture Blog, "Exponential Backoff And Jitter", "equal jitter").

#include <chrono>
#include <optional>

#include "botfactory/http_client/http_client.hpp"

namespace botfactory::ai {

/// LLM_RETRIES (2), LLM_RETRY_BASE_MS (200), LLM_RETRY_MAX_MS (2000).
struct RetrySettings {
  int max_retries = 2;                          // attempts after the first
  std::chrono::milliseconds base_delay{200};    // before the first retry (± jitter)
  std::chrono::milliseconds max_delay{2000};    // cap of one back-off
};

/// How one attempt ended, as far as retrying cares.
struct AttemptOutcome {
  http::Failure failure = http::Failure::kNone;  // transport outcome
  long status = 0;                                // HTTP status (0 = none came)
  long retry_after_s = -1;                        // 429's Retry-After in seconds (-1 = absent)
  bool text_delivered = false;                    // reply text already went to the caller
};

/// The delay before the next attempt, or nullopt when it must not be retried. Retried: a
/// connection failure or timeout, a transport error before the first byte, HTTP 5xx (and 408),
/// and HTTP 429 only when it names a Retry-After that fits in `budget` (else surfaced at once:
/// the caller shows a polite "retry later"). Never once text was delivered, never 4xx otherwise,
/// never after `attempt` (0-based, the one that just failed) reached settings.max_retries, and
/// never when the delay does not fit in `budget` (the time left before the call's deadline).
/// `jitter` in [0, 1): the back-off is base·2^attempt (capped at max_delay) · (0.5 + jitter/2).
std::optional<std::chrono::milliseconds> retry_delay(const RetrySettings& settings, const AttemptOutcome& outcome,
                                                     int attempt, std::chrono::milliseconds budget, double jitter);

}  // namespace botfactory::ai
