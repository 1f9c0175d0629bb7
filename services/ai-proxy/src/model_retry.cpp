#include "model_retry.hpp"

#include <algorithm>

namespace botfactory::ai {

std::optional<std::chrono::milliseconds> retry_delay(const RetrySettings& settings, const AttemptOutcome& outcome,
                                                     int attempt, std::chrono::milliseconds budget, double jitter) {
  if (outcome.text_delivered || attempt >= settings.max_retries) return std::nullopt;
  using http::Failure;
  bool transport = outcome.failure == Failure::kConnect || outcome.failure == Failure::kConnectTimeout ||
                   outcome.failure == Failure::kFirstByteTimeout ||
                   (outcome.failure == Failure::kTransport && outcome.status == 0);
  std::chrono::milliseconds delay{0};
  if (outcome.status == 429) {
    if (outcome.retry_after_s < 0) return std::nullopt;
    delay = std::chrono::seconds(outcome.retry_after_s);
  } else if (transport || (outcome.failure == Failure::kNone && (outcome.status >= 500 || outcome.status == 408))) {
    auto exponential = settings.base_delay * (1LL << std::min(attempt, 20));
    auto capped = std::min<std::chrono::milliseconds>(exponential, settings.max_delay);
    delay = std::chrono::milliseconds(static_cast<long long>(capped.count() * (0.5 + std::clamp(jitter, 0.0, 1.0) / 2)));
  } else {
    return std::nullopt;
  }
  // The next attempt needs time of its own after the wait.
  if (delay >= budget) return std::nullopt;
  return delay;
}

}  // namespace botfactory::ai
