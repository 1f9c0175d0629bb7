#pragma once
// Encryption at rest of tenants' provider keys: libs/crypto SecretBox (libsodium secretbox)
// under PROVIDER_KEYS_SECRET. The names below keep bot-registry's vocabulary.

#include "botfactory/crypto/secret_box.hpp"

namespace botfactory::registry {

using KeyCipher = crypto::SecretBox;
using KeyDecryptError = crypto::DecryptError;
using SealedValue = crypto::SealedValue;

/// The secret environment variable that keys provider keys.
inline constexpr const char* kProviderKeysSecretEnv = "PROVIDER_KEYS_SECRET";

}  // namespace botfactory::registry
