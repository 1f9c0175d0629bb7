#include "provider_key_repository.hpp"

#include <sodium.h>

#include <stdexcept>

#include "row_mapping.hpp"

namespace botfactory::registry {
namespace {

// bytea travels as hex text (the connection reads and writes text format).
#define BF_KEY_COLUMNS                                                                         \
  "provider, encode(key_nonce, 'hex'), encode(key_ciphertext, 'hex'), last_four, base_url, " \
  "(extract(epoch from created_at) * 1000000)::bigint, "                                     \
  "(extract(epoch from updated_at) * 1000000)::bigint"

constexpr const char* kUpsertKey =
    "INSERT INTO registry.provider_keys (tenant_id, provider, key_nonce, key_ciphertext, "
    "last_four, base_url) VALUES ($1::uuid, $2, decode($3, 'hex'), decode($4, 'hex'), $5, $6) "
    "ON CONFLICT (tenant_id, provider) DO UPDATE SET key_nonce = EXCLUDED.key_nonce, "
    "key_ciphertext = EXCLUDED.key_ciphertext, last_four = EXCLUDED.last_four, "
    "base_url = EXCLUDED.base_url, updated_at = now() RETURNING " BF_KEY_COLUMNS;
constexpr const char* kDeleteKey =
    "DELETE FROM registry.provider_keys WHERE tenant_id = $1::uuid AND provider = $2";
constexpr const char* kListKeys =
    "SELECT " BF_KEY_COLUMNS " FROM registry.provider_keys WHERE tenant_id = $1::uuid "
    "ORDER BY provider";
constexpr const char* kFindKey =
    "SELECT " BF_KEY_COLUMNS " FROM registry.provider_keys WHERE tenant_id = $1::uuid "
    "AND provider = $2";

#undef BF_KEY_COLUMNS

std::string to_hex(const std::string& bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  hex.pop_back();
  return hex;
}

std::string from_hex(const std::string& hex) {
  std::string bytes(hex.size() / 2, '\0');
  std::size_t length = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(),
                     hex.size(), nullptr, &length, nullptr) != 0) {
    throw std::runtime_error("registry.provider_keys holds a malformed bytea value");
  }
  bytes.resize(length);
  return bytes;
}

StoredProviderKey key_from_row(const pg::Result& r, int row) {
  StoredProviderKey key;
  key.provider = r.str(row, 0);
  key.sealed.nonce = from_hex(r.str(row, 1));
  key.sealed.ciphertext = from_hex(r.str(row, 2));
  key.last_four = r.str(row, 3);
  key.base_url = r.str(row, 4);
  key.created_at_us = r.int64(row, 5);
  key.updated_at_us = r.int64(row, 6);
  return key;
}

}  // namespace

StoredProviderKey ProviderKeyRepository::upsert(const std::string& tenant_id,
                                                const StoredProviderKey& key) {
  auto r = connection_.exec(kUpsertKey, {tenant_id, key.provider, to_hex(key.sealed.nonce),
                                         to_hex(key.sealed.ciphertext), key.last_four, key.base_url});
  return key_from_row(r, 0);
}

bool ProviderKeyRepository::remove(const std::string& tenant_id, const std::string& provider) {
  return connection_.exec(kDeleteKey, {tenant_id, provider}).affected() > 0;
}

std::vector<StoredProviderKey> ProviderKeyRepository::list(const std::string& tenant_id) {
  return map_rows(connection_.exec(kListKeys, {tenant_id}), key_from_row);
}

std::optional<StoredProviderKey> ProviderKeyRepository::find(const std::string& tenant_id,
                                                             const std::string& provider) {
  return first_row(connection_.exec(kFindKey, {tenant_id, provider}), key_from_row);
}

}  // namespace botfactory::registry
