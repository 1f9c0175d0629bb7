#pragma once
// Test helpers for e2ee rooms: base64url and fresh P-256 public keys as WebCrypto exports them.

#include <memory>
#include <string>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace botfactory::channel::testing_support {

/// base64url without padding (RFC 4648 section 5).
inline std::string b64u(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

/// A fresh P-256 public key (65-byte uncompressed point), base64url; "" on failure.
inline std::string fresh_p256_public_key() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"),
                                                          &EVP_PKEY_free);
  if (!key) return {};
  unsigned char* raw = nullptr;
  auto size = EVP_PKEY_get1_encoded_public_key(key.get(), &raw);
  std::string out = size == 65 ? b64u(raw, size) : std::string();
  OPENSSL_free(raw);
  return out;
}

}  // namespace botfactory::channel::testing_support
