#include "provider_breakers.hpp"

#include <functional>

#include "botfactory/metrics/registry.hpp"

namespace botfactory::ai {

ProviderBreakers::ProviderBreakers(common::CircuitBreaker::Options options, std::size_t max_entries)
    : options_(options), max_entries_(max_entries == 0 ? 1 : max_entries) {}

std::shared_ptr<common::CircuitBreaker> ProviderBreakers::get(const std::string& provider, const std::string& api_key,
                                                              const std::string& base_url) {
  auto id = provider + "|" + std::to_string(std::hash<std::string>{}(api_key + '\n' + base_url));
  std::lock_guard lock(mutex_);
  auto it = breakers_.find(id);
  if (it != breakers_.end()) return it->second;
  if (breakers_.size() >= max_entries_) {
    std::erase_if(breakers_, [](const auto& entry) { return entry.second->up(); });
  }
  auto breaker = std::make_shared<common::CircuitBreaker>(options_);
  if (breakers_.size() < max_entries_) breakers_.emplace(std::move(id), breaker);
  return breaker;
}

void ProviderBreakers::record(const std::string& provider, common::CircuitBreaker& breaker, bool failure) {
  bool was_up = breaker.up();
  breaker.record(failure, common::CircuitBreaker::Clock::now());
  bool is_up = breaker.up();
  if (was_up == is_up) return;
  auto& registry = metrics::Registry::global();
  auto labels = "provider=\"" + provider + "\"";
  registry.gauge("botfactory_ai_breakers_open", "Model provider circuit breakers open now", labels).add(is_up ? -1 : 1);
  if (!is_up) {
    registry.counter("botfactory_ai_breaker_opened_total", "Model provider circuit breakers opened", labels).inc();
  }
}

}  // namespace botfactory::ai
