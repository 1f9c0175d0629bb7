// Login throttle rules (login_throttle.hpp) and hashing parameters, without a database.
#include <catch2/catch.hpp>

#include <sodium.h>

#include "hash_slots.hpp"
#include "login_throttle.hpp"
#include "password_hasher.hpp"

using namespace botfactory::auth;

namespace {
constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kT0 = 1'800'000'000LL * kSecond;
}  // namespace

TEST_CASE("five failures are free, then the block doubles from 1 s up to 15 min") {
  LoginThrottlePolicy policy;
  std::optional<FailureRecord> record;
  auto now = kT0;
  for (int i = 1; i <= 4; ++i) {
    record = after_failure(policy, record, now);
    CHECK(record->failures == i);
    CHECK_FALSE(retry_after_s(record, now));
  }
  std::int64_t expected = 1;
  for (int i = 5; i <= 20; ++i) {
    record = after_failure(policy, record, now);
    INFO("failure " << i);
    CHECK(record->failures == i);
    REQUIRE(retry_after_s(record, now));
    CHECK(*retry_after_s(record, now) == expected);
    CHECK(record->expires_at_us == now + expected * kSecond + 900 * kSecond);
    now += expected * kSecond;  // the attacker retries as soon as allowed
    CHECK_FALSE(retry_after_s(record, now));
    expected = std::min<std::int64_t>(expected * 2, 900);
  }
  CHECK(expected == 900);
}

TEST_CASE("the count is forgotten after a quiet window past the last block") {
  LoginThrottlePolicy policy;
  std::optional<FailureRecord> record;
  for (int i = 0; i < 5; ++i) record = after_failure(policy, record, kT0);
  CHECK(*retry_after_s(record, kT0) == 1);
  CHECK(*retry_after_s(record, kT0 + kSecond / 2) == 1);  // rounded up
  auto later = kT0 + kSecond + 900 * kSecond;
  record = after_failure(policy, record, later - 1);
  CHECK(record->failures == 6);
  record = after_failure(policy, record, record->expires_at_us);
  CHECK(record->failures == 1);
  CHECK_FALSE(retry_after_s(record, record->expires_at_us));
}

TEST_CASE("a zero free-failure count turns the throttle off") {
  LoginThrottlePolicy policy;
  policy.free_failures = 0;
  std::optional<FailureRecord> record;
  for (int i = 0; i < 50; ++i) record = after_failure(policy, record, kT0);
  CHECK_FALSE(retry_after_s(record, kT0));
  CHECK(backoff_us(policy, 50) == 0);
}

TEST_CASE("the default cost is OWASP's Argon2id m=19456 KiB, t=2, p=1; older hashes need a rehash") {
  PasswordHasher current(PasswordHashCost::owasp());
  auto encoded = current.hash("correct horse battery");
  CHECK_THAT(encoded, Catch::StartsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
  CHECK(current.verify("correct horse battery", encoded));
  CHECK_FALSE(current.needs_rehash(encoded));

  PasswordHasher old(PasswordHashCost::min());
  auto legacy = old.hash("correct horse battery");
  CHECK(current.verify("correct horse battery", legacy));  // parameters travel in the hash
  CHECK(current.needs_rehash(legacy));
  CHECK(current.needs_rehash("not a hash"));
}

TEST_CASE("hash slots follow the memory budget") {
  constexpr std::size_t kMiB = 1024 * 1024;
  CHECK(hash_slots_for_budget(256 * kMiB, 19 * kMiB) == 13);
  CHECK(hash_slots_for_budget(19 * kMiB, 19 * kMiB) == 1);
  CHECK(hash_slots_for_budget(1 * kMiB, 19 * kMiB) == 1);  // never zero: logins must work

  HashSlots slots(2, std::chrono::milliseconds(0));
  auto a = slots.try_acquire();
  auto b = slots.try_acquire();
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(slots.try_acquire().has_value());
  CHECK(slots.in_flight() == 2);
  a.reset();
  CHECK(slots.try_acquire().has_value());
  CHECK(slots.max_in_flight() == 2);
}
