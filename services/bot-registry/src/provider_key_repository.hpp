#pragma once
// SQL over registry.provider_keys: one sealed key per tenant and provider. Callers pass a
// tenant id checked with rpc::require_tenant and a provider checked with checked_key_provider.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/pg/connection.hpp"
#include "key_cipher.hpp"

namespace botfactory::registry {

/// One stored key row: the sealed key and what reads may show.
struct StoredProviderKey {
  std::string provider;
  SealedValue sealed;
  std::string last_four;
  std::string base_url;
  std::int64_t created_at_us = 0;  // microseconds since the Unix epoch
  std::int64_t updated_at_us = 0;
};

/// Provider key rows on one connection (not owned). Errors are pg::Error.
class ProviderKeyRepository {
 public:
  explicit ProviderKeyRepository(pg::Connection& connection) : connection_(connection) {}

  /// Inserts or replaces the tenant's key for `key.provider` (created_at kept on replace) and
  /// returns the stored row.
  StoredProviderKey upsert(const std::string& tenant_id, const StoredProviderKey& key);
  /// False when the tenant has no key for `provider`.
  bool remove(const std::string& tenant_id, const std::string& provider);
  /// The tenant's keys ordered by provider.
  std::vector<StoredProviderKey> list(const std::string& tenant_id);
  std::optional<StoredProviderKey> find(const std::string& tenant_id, const std::string& provider);

 private:
  pg::Connection& connection_;
};

}  // namespace botfactory::registry
