#pragma once
// Encryption at rest of short secrets (tenants' provider keys, channel credentials): libsodium
// crypto_secretbox_easy (XSalsa20-Poly1305,
// https://doc.libsodium.org/secret-key_cryptography/secretbox) under a 32-byte key read from one
// environment variable, with a fresh random 24-byte nonce per value.

#include <array>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace botfactory::crypto {

/// A stored value that does not open under the current key: another secret, or altered bytes.
/// Its message names the cause, never the value.
class DecryptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Nonce and ciphertext (plaintext + 16-byte MAC) of one sealed value, raw bytes.
struct SealedValue {
  std::string nonce;
  std::string ciphertext;
};

/// Seals and opens short secrets with one 32-byte key. Thread-safe (immutable after
/// construction). The key bytes are wiped on destruction.
class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;

  /// `key` must be exactly 32 raw bytes; throws std::invalid_argument otherwise.
  explicit SecretBox(std::string_view key);
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  /// The box of secret environment variable `env_name` (e.g. "PROVIDER_KEYS_SECRET",
  /// "CHANNEL_CREDENTIALS_SECRET"), read with common::require_secret (missing, short or publicly
  /// known → common::ConfigError unless BOTFACTORY_INSECURE_DEV=1) and decoded as 64 hex
  /// characters or base64 (standard or URL-safe, padded or not) of 32 bytes; anything else is a
  /// ConfigError, except in development mode, where other text is hashed to 32 bytes (BLAKE2b)
  /// with a warning.
  static std::shared_ptr<const SecretBox> from_env(const char* env_name);

  /// 32 raw bytes from `secret`: 64 hex characters or base64 of 32 bytes; throws
  /// std::invalid_argument("<env_name> must be 64 hex characters or base64 of 32 bytes ...")
  /// otherwise.
  static std::string decode_secret(std::string_view secret,
                                   std::string_view env_name = "the secret");

  /// `plaintext` sealed under a fresh random nonce (randombytes_buf).
  SealedValue seal(std::string_view plaintext) const;
  /// The plaintext of `sealed`; DecryptError when the nonce is not 24 bytes or the MAC does
  /// not verify (wrong key or altered bytes).
  std::string open(const SealedValue& sealed) const;

 private:
  std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace botfactory::crypto
