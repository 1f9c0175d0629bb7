#include "provider_keys.hpp"

#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "bot_repository.hpp"
#include "effective_answerer.hpp"
#include "provider_key_repository.hpp"

namespace botfactory::registry {
namespace {

constexpr std::size_t kShownChars = 4;

ProviderKeyInfo info_of(const StoredProviderKey& stored) {
  return {stored.provider, stored.last_four, stored.base_url, stored.created_at_us,
          stored.updated_at_us};
}

}  // namespace

ProviderKeys::ProviderKeys(std::shared_ptr<pg::Pool> pool, std::shared_ptr<const KeyCipher> cipher,
                           std::shared_ptr<const PlatformKeys> platform, bool private_base_urls)
    : pool_(std::move(pool)),
      cipher_(std::move(cipher)),
      platform_(std::move(platform)),
      private_base_urls_(private_base_urls) {}

ProviderKeyInfo ProviderKeys::set_key(const std::string& tenant_id, const std::string& provider,
                                      const std::string& key, const std::string& base_url) {
  rpc::require_tenant(tenant_id);
  StoredProviderKey stored;
  stored.provider = checked_key_provider(provider);
  const std::string checked_key = checked_provider_key(key);
  stored.base_url = checked_base_url(base_url, private_base_urls_);
  stored.sealed = cipher_->seal(checked_key);
  stored.last_four = checked_key.substr(checked_key.size() - kShownChars);
  auto connection = pool_->acquire();
  auto saved = ProviderKeyRepository(*connection).upsert(tenant_id, stored);
  common::logger("registry")->info("provider key set tenant={} provider={} last_four={}",
                                   tenant_id, saved.provider, saved.last_four);
  return info_of(saved);
}

void ProviderKeys::delete_key(const std::string& tenant_id, const std::string& provider) {
  rpc::require_tenant(tenant_id);
  const auto name = checked_key_provider(provider);
  auto connection = pool_->acquire();
  if (!ProviderKeyRepository(*connection).remove(tenant_id, name)) {
    rpc::throw_not_found("provider key not found");
  }
  common::logger("registry")->info("provider key deleted tenant={} provider={}", tenant_id, name);
}

std::vector<ProviderKeyInfo> ProviderKeys::list_keys(const std::string& tenant_id) {
  rpc::require_tenant(tenant_id);
  auto connection = pool_->acquire();
  std::vector<ProviderKeyInfo> keys;
  for (const auto& stored : ProviderKeyRepository(*connection).list(tenant_id)) {
    keys.push_back(info_of(stored));
  }
  return keys;
}

BotModelConfig ProviderKeys::model_config(const std::string& tenant_id, const std::string& bot_id) {
  rpc::require_tenant(tenant_id);
  if (!common::is_uuid(bot_id)) rpc::throw_not_found("bot not found");
  auto connection = pool_->acquire();
  auto bot = BotRepository(*connection, platform_.get()).find(tenant_id, bot_id);
  if (!bot) rpc::throw_not_found("bot not found");

  BotModelConfig config;
  config.bot_id = bot->id();
  config.provider.provider = bot->provider().provider();
  config.provider.model = bot->provider().model();
  config.provider.temperature = bot->provider().temperature();
  config.provider.max_output_tokens = bot->provider().max_output_tokens();
  config.provider.fallback_to_extractive = bot->provider().fallback_to_extractive();
  std::optional<StoredProviderKey> stored;
  if (config.provider.provider != "extractive") {
    stored = ProviderKeyRepository(*connection).find(tenant_id, config.provider.provider);
  }
  const PlatformKey* platform =
      config.provider.provider != "extractive" && platform_ ? platform_->find(config.provider.provider) : nullptr;
  auto effective = effective_answerer(config.provider.provider, stored.has_value(), platform != nullptr);
  config.effective_answerer = std::move(effective.answerer);
  config.effective_answerer_reason = std::move(effective.reason);
  if (stored) {
    try {
      config.api_key = cipher_->open(stored->sealed);
    } catch (const KeyDecryptError&) {
      throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION,
                             "the stored " + stored->provider +
                                 " key cannot be decrypted with the current PROVIDER_KEYS_SECRET "
                                 "(was it changed?); set the key again");
    }
    config.base_url = stored->base_url;
  } else if (platform) {
    config.api_key = platform->api_key;  // the platform's endpoint: ai-proxy's base URL setting
  }
  return config;
}

}  // namespace botfactory::registry
