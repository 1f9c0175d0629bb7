#pragma once
// Password hashing with Argon2id (RFC 9106) through libsodium's crypto_pwhash_str_alg.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace botfactory::auth {

/// Argon2id cost parameters. Defaults are libsodium's INTERACTIVE limits (2 passes, 64 MiB);
/// tests may use min() for speed. Hashes embed their parameters, so verify() accepts hashes made
/// with any cost.
struct PasswordHashCost {
  std::uint64_t opslimit;
  std::size_t memlimit;  // bytes

  /// crypto_pwhash_OPSLIMIT_INTERACTIVE / crypto_pwhash_MEMLIMIT_INTERACTIVE.
  static PasswordHashCost interactive();
  /// crypto_pwhash_OPSLIMIT_MIN / crypto_pwhash_MEMLIMIT_MIN (tests only).
  static PasswordHashCost min();
};

/// Hashes and verifies passwords. Thread-safe (no mutable state after construction).
class PasswordHasher {
 public:
  /// Computes a dummy hash once, so that verify_dummy() costs what a real verify() costs.
  explicit PasswordHasher(PasswordHashCost cost);

  /// The encoded Argon2id hash ("$argon2id$v=19$m=...") of `password`. Throws
  /// std::runtime_error when libsodium cannot allocate the memory.
  std::string hash(std::string_view password) const;
  /// True when `password` matches `encoded` (crypto_pwhash_str_verify). False for a malformed
  /// hash.
  bool verify(std::string_view password, const std::string& encoded) const;
  /// Verifies `password` against a hash of a random secret and discards the result; used for
  /// unknown accounts so both login failures take similar time.
  void verify_dummy(std::string_view password) const;

 private:
  PasswordHashCost cost_;
  std::string dummy_hash_;
};

}  // namespace botfactory::auth
