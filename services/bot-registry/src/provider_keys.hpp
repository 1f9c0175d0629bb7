#pragma once
// Tenants' provider keys (one per tenant and provider, "openai" / "gemini"), sealed at rest with
// KeyCipher, and the model configuration ai-proxy reads for a bot (docs/architecture.md,
// "Provider keys"). Keys live per tenant, not per bot: a business has one account per provider,
// rotates it in one place, and every bot of the tenant uses it.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "botfactory/pg/pool.hpp"
#include "key_cipher.hpp"
#include "platform_keys.hpp"
#include "validation.hpp"

namespace botfactory::registry {

/// A key as reads show it: never the key, only its last four characters.
struct ProviderKeyInfo {
  std::string provider;   // "openai" or "gemini"
  std::string last_four;
  std::string base_url;   // empty = the provider's public endpoint
  std::int64_t created_at_us = 0;  // microseconds since the Unix epoch
  std::int64_t updated_at_us = 0;
};

/// What ai-proxy needs to answer for a bot. Holds the decrypted key: never log it.
struct BotModelConfig {
  std::string bot_id;
  ProviderFields provider;        // as the bot asks, model default applied
  std::string effective_answerer; // provider.provider, or "extractive" without a key
  std::string effective_answerer_reason;
  std::string api_key;            // empty when effective_answerer is "extractive"
  std::string base_url;
};

/// Thread-safe. Errors: rpc::StatusError INVALID_ARGUMENT (empty or malformed tenant, unknown
/// provider, bad key or base URL — validation.hpp), NOT_FOUND ("provider key not found",
/// "bot not found"), FAILED_PRECONDITION when a stored key does not open under the current
/// PROVIDER_KEYS_SECRET; database failures as pg::Error. Keys are never logged.
class ProviderKeys {
 public:
  /// `platform` (may be null = none): the platform's keys, used for a bot whose tenant has none.
  /// `private_base_urls` (LLM_TENANT_PRIVATE_ADDRESSES): a tenant's base URL may name a
  /// private / loopback host (checked_base_url).
  ProviderKeys(std::shared_ptr<pg::Pool> pool, std::shared_ptr<const KeyCipher> cipher,
               std::shared_ptr<const PlatformKeys> platform = nullptr, bool private_base_urls = false);

  /// Seals `key` under a fresh nonce and stores it as the tenant's key for `provider`, replacing
  /// any earlier one.
  ProviderKeyInfo set_key(const std::string& tenant_id, const std::string& provider,
                          const std::string& key, const std::string& base_url);
  /// Removes the tenant's key for `provider`; NOT_FOUND when none is set.
  void delete_key(const std::string& tenant_id, const std::string& provider);
  /// The tenant's keys, ordered by provider.
  std::vector<ProviderKeyInfo> list_keys(const std::string& tenant_id);
  /// The bot's model settings with the key to answer with: the tenant's own key for the bot's
  /// provider (decrypted, with the tenant's base URL) first; else the platform's key (base URL
  /// empty: ai-proxy's OPENAI_BASE_URL / GEMINI_BASE_URL; the key may be empty for a keyless
  /// self-hosted server); else none and effective "extractive". None for "extractive".
  BotModelConfig model_config(const std::string& tenant_id, const std::string& bot_id);

 private:
  std::shared_ptr<pg::Pool> pool_;
  std::shared_ptr<const KeyCipher> cipher_;
  std::shared_ptr<const PlatformKeys> platform_;
  bool private_base_urls_ = false;
};

}  // namespace botfactory::registry
