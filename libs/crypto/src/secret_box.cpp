#include "botfactory/crypto/secret_box.hpp"

#include <sodium.h>

#include <algorithm>

#include "botfactory/common/config.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/secrets.hpp"

namespace botfactory::crypto {
namespace {

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

/// 32 bytes decoded from `text` with sodium_base642bin in `variant`; empty when it does not fit.
std::string base64_key(std::string_view text, int variant) {
  std::string out(SecretBox::kKeyBytes, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end, variant) != 0 ||
      end != text.data() + text.size() || length != SecretBox::kKeyBytes) {
    return {};
  }
  return out;
}

}  // namespace

SecretBox::SecretBox(std::string_view key) {
  ensure_sodium();
  if (key.size() != kKeyBytes) throw std::invalid_argument("the secret box needs a 32-byte key");
  std::copy(key.begin(), key.end(), key_.begin());
}

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

std::string SecretBox::decode_secret(std::string_view secret, std::string_view env_name) {
  ensure_sodium();
  if (secret.size() == 2 * kKeyBytes) {
    std::string out(kKeyBytes, '\0');
    std::size_t length = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), secret.data(),
                       secret.size(), nullptr, &length, &end) == 0 &&
        end == secret.data() + secret.size() && length == kKeyBytes) {
      return out;
    }
  }
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    if (auto key = base64_key(secret, variant); !key.empty()) return key;
  }
  throw std::invalid_argument(std::string(env_name) +
                              " must be 64 hex characters or base64 of 32 bytes, e.g. "
                              "$(openssl rand -hex 32)");
}

std::shared_ptr<const SecretBox> SecretBox::from_env(const char* env_name) {
  const std::string secret = common::require_secret(env_name);
  try {
    std::string key = decode_secret(secret, env_name);
    auto cipher = std::make_shared<const SecretBox>(key);
    sodium_memzero(key.data(), key.size());
    return cipher;
  } catch (const std::invalid_argument& e) {
    if (!common::env_bool(common::kInsecureDevFlag, false)) throw common::ConfigError(e.what());
    common::logger("secrets")->warn("INSECURE: {}; hashing it to a key only because {}=1",
                                     e.what(), common::kInsecureDevFlag);
    std::string key(kKeyBytes, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                       nullptr, 0);
    auto cipher = std::make_shared<const SecretBox>(key);
    sodium_memzero(key.data(), key.size());
    return cipher;
  }
}

SealedValue SecretBox::seal(std::string_view plaintext) const {
  SealedValue sealed;
  sealed.nonce.resize(crypto_secretbox_NONCEBYTES);
  randombytes_buf(sealed.nonce.data(), sealed.nonce.size());
  sealed.ciphertext.resize(plaintext.size() + crypto_secretbox_MACBYTES);
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(sealed.ciphertext.data()),
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        reinterpret_cast<const unsigned char*>(sealed.nonce.data()), key_.data());
  return sealed;
}

std::string SecretBox::open(const SealedValue& sealed) const {
  if (sealed.nonce.size() != crypto_secretbox_NONCEBYTES ||
      sealed.ciphertext.size() < crypto_secretbox_MACBYTES) {
    throw DecryptError("the sealed value is malformed");
  }
  std::string plaintext(sealed.ciphertext.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                 reinterpret_cast<const unsigned char*>(sealed.ciphertext.data()),
                                 sealed.ciphertext.size(),
                                 reinterpret_cast<const unsigned char*>(sealed.nonce.data()),
                                 key_.data()) != 0) {
    throw DecryptError("the sealed value does not open under this key");
  }
  return plaintext;
}

}  // namespace botfactory::crypto
