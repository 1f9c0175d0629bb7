// RevocationCache and voided_by (http/token_revocation.hpp): bounds, freshness, monotonic times.
#include <catch2/catch.hpp>

#include "http/token_revocation.hpp"

using namespace botfactory;
using namespace botfactory::gateway;
using namespace std::chrono_literals;

namespace {

jwt::Claims user_token(std::int64_t issued_at_ms, jwt::TokenKind kind = jwt::TokenKind::kUser) {
  jwt::Claims c;
  c.kind = kind;
  c.subject = "u-1";
  c.tenant_id = "t-1";
  c.issued_at_ms = issued_at_ms;
  return c;
}

}  // namespace

TEST_CASE("revocation: a user token signed before the user's revocation time is void, not after") {
  CHECK(voided_by(user_token(999), 1000));
  CHECK_FALSE(voided_by(user_token(1000), 1000));  // signed at the revocation ms: the new standing
  CHECK_FALSE(voided_by(user_token(5), 0));          // no revocation known
  CHECK_FALSE(voided_by(user_token(5, jwt::TokenKind::kVisitor), 1000));  // visitors: per user never
}

TEST_CASE("revocation cache: answers are fresh for the TTL, revocation times only grow") {
  RevocationCache cache(10, 1000ms);
  auto t0 = RevocationCache::Clock::now();
  CHECK_FALSE(cache.find("u-1", t0).found);
  cache.store("u-1", 0, t0);
  auto hit = cache.find("u-1", t0 + 999ms);
  CHECK(hit.found);
  CHECK(hit.fresh);
  CHECK(hit.valid_from_ms == 0);
  CHECK_FALSE(cache.find("u-1", t0 + 1000ms).fresh);
  cache.store("u-1", 5000, t0 + 2s);
  cache.store("u-1", 4000, t0 + 2s);  // an older announcement arriving late
  CHECK(cache.find("u-1", t0 + 2s).valid_from_ms == 5000);
  cache.store("u-1", 0, t0 + 3s);  // the Redis record expired: the known time stays
  CHECK(cache.find("u-1", t0 + 3s).valid_from_ms == 5000);
  cache.expire_all();  // pub/sub reconnected: ask Redis again
  auto stale = cache.find("u-1", t0 + 3s);
  CHECK(stale.found);
  CHECK_FALSE(stale.fresh);
  CHECK(stale.valid_from_ms == 5000);  // still voids old tokens on open sockets
}

TEST_CASE("revocation cache: never holds more than its bound; stale non-revocations go first") {
  RevocationCache cache(4, 1000ms);
  auto t0 = RevocationCache::Clock::now();
  cache.store("revoked", 7000, t0);
  cache.store("a", 0, t0);
  cache.store("b", 0, t0);
  cache.store("c", 0, t0);
  CHECK(cache.size() == 4);
  cache.store("d", 0, t0 + 2s);  // a, b, c are stale negatives: dropped, the revocation stays
  CHECK(cache.size() == 2);
  CHECK(cache.find("revoked", t0 + 2s).valid_from_ms == 7000);
  for (int i = 0; i < 100; ++i) cache.store("fresh-" + std::to_string(i), 0, t0 + 3s);
  CHECK(cache.size() <= 4);
}
