#pragma once
// A bounded, short-lived cache of the bots' model configuration in front of GetBotModelConfig:
// one bot-registry round trip less per reply (docs/benchmarks.md "ai-proxy streaming overhead").

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "model_config.hpp"

namespace botfactory::ai {

/// How long and how many bots' configurations are kept (AI_MODEL_CONFIG_CACHE_MS,
/// AI_MODEL_CONFIG_CACHE_ENTRIES).
struct ModelConfigCacheSettings {
  /// How long an answer is reused; a key, provider or model change made in bot-registry takes
  /// effect in ai-proxy within this time. 0 = no cache.
  std::chrono::milliseconds ttl{5000};
  /// At most this many (tenant, bot) entries; the least recently used goes first.
  std::size_t max_entries = 10000;
};

/// ModelConfigSource that remembers `inner`'s answers per (tenant, bot) for `ttl` (from the time
/// the answer arrived, not from the last use). Errors (NOT_FOUND, UNAVAILABLE, …) are never
/// cached: they pass through as `inner` throws them. Entries hold the decrypted key in memory
/// only; nothing here logs. Thread-safe; concurrent misses for one bot each ask `inner`.
class CachingModelConfigSource final : public ModelConfigSource {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  /// `clock` defaults to std::chrono::steady_clock::now (tests inject their own).
  CachingModelConfigSource(std::shared_ptr<ModelConfigSource> inner, ModelConfigCacheSettings settings,
                           Clock clock = {});

  ModelConfig model_config(const std::string& tenant_id, const std::string& bot_id) override;

  /// Entries held now (expired ones included until looked up or evicted).
  std::size_t size() const;

 private:
  struct Entry {
    std::string key;
    ModelConfig config;
    std::chrono::steady_clock::time_point expires;
  };
  using Lru = std::list<Entry>;  // most recently used first

  std::shared_ptr<ModelConfigSource> inner_;
  const ModelConfigCacheSettings settings_;
  const Clock clock_;
  mutable std::mutex mutex_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
};

/// `inner` behind a CachingModelConfigSource, or `inner` itself when settings.ttl is 0 or
/// settings.max_entries is 0.
std::shared_ptr<ModelConfigSource> with_model_config_cache(std::shared_ptr<ModelConfigSource> inner,
                                                           ModelConfigCacheSettings settings);

}  // namespace botfactory::ai
