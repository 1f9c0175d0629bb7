#include "model_config_cache.hpp"

namespace botfactory::ai {

CachingModelConfigSource::CachingModelConfigSource(std::shared_ptr<ModelConfigSource> inner,
                                                   ModelConfigCacheSettings settings, Clock clock)
    : inner_(std::move(inner)),
      settings_(settings),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

ModelConfig CachingModelConfigSource::model_config(const std::string& tenant_id, const std::string& bot_id) {
  std::string key;
  key.reserve(tenant_id.size() + bot_id.size() + 1);
  key.append(tenant_id).push_back('\0');  // ids hold no NUL: the pair is unambiguous
  key.append(bot_id);
  {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      if (clock_() < it->second->expires) {
        lru_.splice(lru_.begin(), lru_, it->second);
        return it->second->config;
      }
      lru_.erase(it->second);
      index_.erase(it);
    }
  }
  auto config = inner_->model_config(tenant_id, bot_id);  // throws: nothing cached
  const auto expires = clock_() + settings_.ttl;
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it != index_.end()) {  // another caller filled it meanwhile: keep the newer answer
    it->second->config = config;
    it->second->expires = expires;
    lru_.splice(lru_.begin(), lru_, it->second);
    return config;
  }
  lru_.push_front(Entry{key, config, expires});
  index_.emplace(std::move(key), lru_.begin());
  while (lru_.size() > settings_.max_entries) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  return config;
}

std::size_t CachingModelConfigSource::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

std::shared_ptr<ModelConfigSource> with_model_config_cache(std::shared_ptr<ModelConfigSource> inner,
                                                           ModelConfigCacheSettings settings) {
  if (settings.ttl.count() <= 0 || settings.max_entries == 0) return inner;
  return std::make_shared<CachingModelConfigSource>(std::move(inner), settings);
}

}  // namespace botfactory::ai
