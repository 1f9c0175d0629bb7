#include "password_hasher.hpp"

#include <stdexcept>

#include <sodium.h>

#include "botfactory/common/random.hpp"

namespace botfactory::auth {

PasswordHashCost PasswordHashCost::owasp() { return {2, 19456U * 1024U}; }

PasswordHashCost PasswordHashCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordHashCost PasswordHashCost::min() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

PasswordHasher::PasswordHasher(PasswordHashCost cost) : cost_(cost) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  dummy_hash_ = hash(common::random_token(24));
}

std::string PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost_.opslimit, cost_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing failed (out of memory)");
  }
  return out;
}

bool PasswordHasher::verify(std::string_view password, const std::string& encoded) const {
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::needs_rehash(const std::string& encoded) const {
  return crypto_pwhash_str_needs_rehash(encoded.c_str(), cost_.opslimit, cost_.memlimit) != 0;
}

void PasswordHasher::verify_dummy(std::string_view password) const {
  // The result is irrelevant; only the time spent matters.
  static_cast<void>(verify(password, dummy_hash_));
}

}  // namespace botfactory::auth
