#pragma once
// One circuit breaker (common/circuit_breaker.hpp) per model provider and key: a provider that
// keeps failing for one key (or one tenant's server) is not called until it had time to recover,
// and the other keys are not affected.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "botfactory/common/circuit_breaker.hpp"

namespace botfactory::ai {

/// Breakers by (provider, key, base URL); the key is kept only as a hash. Thread-safe; at most
/// `max_entries` breakers (LLM_BREAKER_MAX_ENTRIES): beyond, closed ones are dropped. Keeps
/// botfactory_ai_breakers_open{provider} (breakers open now) and
/// botfactory_ai_breaker_opened_total{provider}.
class ProviderBreakers {
 public:
  /// `options`: LLM_BREAKER_FAILURES (5) consecutive transport failures open it for
  /// LLM_BREAKER_OPEN_MS (10000).
  explicit ProviderBreakers(common::CircuitBreaker::Options options, std::size_t max_entries = 10000);

  /// The breaker of `provider` with `api_key` at `base_url` (created closed).
  std::shared_ptr<common::CircuitBreaker> get(const std::string& provider, const std::string& api_key,
                                              const std::string& base_url);
  /// breaker->record(failure, now), keeping the metrics of `provider`.
  void record(const std::string& provider, common::CircuitBreaker& breaker, bool failure);

 private:
  common::CircuitBreaker::Options options_;
  std::size_t max_entries_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<common::CircuitBreaker>> breakers_;  // guarded by mutex_
};

}  // namespace botfactory::ai
