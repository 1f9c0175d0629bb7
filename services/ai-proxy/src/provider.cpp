#include "provider.hpp"

#include "botfactory/common/logging.hpp"

namespace botfactory::ai {

ProviderRegistry::ProviderRegistry(std::shared_ptr<Provider> fallback) : fallback_(std::move(fallback)) {
  providers_[fallback_->name()] = fallback_;
}

void ProviderRegistry::add(std::shared_ptr<Provider> provider) {
  auto name = provider->name();
  providers_[name] = std::move(provider);
}

Provider& ProviderRegistry::resolve(const std::string& name) {
  auto it = providers_.find(name);
  if (it != providers_.end()) return *it->second;
  if (!name.empty()) {
    std::lock_guard lock(logged_mutex_);
    if (logged_.insert(name).second && logged_.size() <= 64) {
      common::logger("providers")
          ->warn("provider '{}' is not configured; using '{}'", common::json_escape(name),
                 fallback_->name());
    }
  }
  return *fallback_;
}

Provider& ProviderRegistry::resolve(const GenerateInput& input) {
  auto& provider = resolve(input.provider);
  return provider.can_answer(input) ? provider : *fallback_;
}

}  // namespace botfactory::ai
