#pragma once
// Password hashing with Argon2id (RFC 9106) through libsodium's crypto_pwhash_str_alg.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace botfactory::auth {

/// Argon2id cost parameters (libsodium always uses parallelism 1). The default is owasp();
/// tests may use min() for speed. Hashes embed their parameters, so verify() accepts hashes made
/// with any cost, and needs_rehash() tells which ones to upgrade.
struct PasswordHashCost {
  std::uint64_t opslimit;  // passes (Argon2 t)
  std::size_t memlimit;    // bytes (Argon2 m)

  /// The OWASP Password Storage Cheat Sheet's first Argon2id configuration: m = 19 MiB
  /// (19456 KiB), t = 2, p = 1.
  static PasswordHashCost owasp();
  /// crypto_pwhash_OPSLIMIT_INTERACTIVE / crypto_pwhash_MEMLIMIT_INTERACTIVE (t = 2, 64 MiB),
  /// the cost of hashes stored before owasp() became the default.
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
  /// True when `encoded` was made with other parameters (or another algorithm) than this
  /// hasher's cost, so it should be replaced by hash() after a successful verify()
  /// (crypto_pwhash_str_needs_rehash). True for a malformed hash.
  bool needs_rehash(const std::string& encoded) const;
  /// The cost this hasher hashes with.
  const PasswordHashCost& cost() const { return cost_; }
  /// Verifies `password` against a hash of a random secret and discards the result; used for
  /// unknown accounts so both login failures take similar time.
  void verify_dummy(std::string_view password) const;

 private:
  PasswordHashCost cost_;
  std::string dummy_hash_;
};

}  // namespace botfactory::auth
