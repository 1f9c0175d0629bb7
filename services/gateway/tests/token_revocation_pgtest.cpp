// TokenRevocations (http/token_revocation.hpp) against the real test Redis: the GET path, the
// pub/sub announcement path, and failing open when Redis cannot be reached.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "botfactory/common/random.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/redis/revocation_keys.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "http/token_revocation.hpp"

using namespace botfactory;
using namespace botfactory::gateway;
using namespace std::chrono_literals;

namespace {

/// A TokenRevocations on its own io_context thread, against `port` on the test Redis host.
struct RevocationHarness {
  explicit RevocationHarness(int port, std::chrono::milliseconds ttl = 60000ms) {
    TokenRevocationSettings s;
    s.cache_ttl = ttl;
    s.key_prefix = prefix;
    redis::SubscriberOptions o;
    o.host = testenv::redis_host();
    o.port = port;
    revocations = std::make_unique<TokenRevocations>(
        io, s, std::make_unique<redis::BlockingClient>(testenv::redis_host(), port, 250ms), o);
    revocations->on_revoked([this] { announced++; });
    revocations->start();
    thread = std::thread([this] { io.run(); });
  }
  ~RevocationHarness() {
    revocations->stop();
    work.reset();
    thread.join();
  }

  std::string prefix = "revtest_" + common::random_token(6) + ":";
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<TokenRevocations> revocations;
  std::atomic<int> announced{0};
  std::thread thread;
};

jwt::Claims user(const std::string& id, std::int64_t issued_at_ms) {
  jwt::Claims c;
  c.kind = jwt::TokenKind::kUser;
  c.subject = id;
  c.tenant_id = "t-1";
  c.issued_at_ms = issued_at_ms;
  return c;
}

std::uint64_t checks(const char* result) {
  return metrics::Registry::global()
      .counter("gateway_token_revocation_checks_total",
               "User-token revocation checks on REST and upgrades, by how they were answered",
               std::string("result=\"") + result + "\"")
      .value();
}

}  // namespace

TEST_CASE("token revocation: a Redis record voids older tokens of that user only") {
  RevocationHarness h(testenv::redis_port(), 0ms);  // TTL 0: every check asks Redis
  redis::BlockingClient client(testenv::redis_host(), testenv::redis_port());
  REQUIRE(client.command({"SET", redis::user_revoked_key(h.prefix, "alice"), "5000"}));
  auto redis_before = checks("redis");
  CHECK(h.revocations->revoked(user("alice", 4999)));
  CHECK_FALSE(h.revocations->revoked(user("alice", 5000)));  // signed after: the new standing
  CHECK_FALSE(h.revocations->revoked(user("bob", 1)));      // another user: unaffected
  CHECK(checks("redis") == redis_before + 3);
  auto visitor = user("alice", 1);
  visitor.kind = jwt::TokenKind::kVisitor;
  CHECK_FALSE(h.revocations->revoked(visitor));
}

TEST_CASE("token revocation: an announcement updates the cache at once and wakes the sockets") {
  RevocationHarness h(testenv::redis_port());  // TTL 60 s: only the announcement can change it
  CHECK_FALSE(h.revocations->revoked(user("carol", 1000)));  // cached: no revocation
  CHECK(h.revocations->revoked_if_fresh(user("carol", 1000)) == std::optional<bool>(false));
  redis::BlockingClient client(testenv::redis_host(), testenv::redis_port());
  // The subscription may still be in flight: announce until it is heard (bounded).
  for (int i = 0; i < 100 && h.announced.load() == 0; ++i) {
    client.command({"PUBLISH", redis::user_revoked_channel(h.prefix),
                    redis::user_revoked_payload("carol", 2000)});
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(h.announced.load() > 0);
  CHECK(h.revocations->known_revoked(user("carol", 1000)));
  CHECK(h.revocations->revoked(user("carol", 1000)));
  CHECK_FALSE(h.revocations->revoked(user("carol", 2000)));
  // Malformed announcements are dropped.
  auto before = h.announced.load();
  client.command({"PUBLISH", redis::user_revoked_channel(h.prefix), "garbage"});
  client.command({"PUBLISH", redis::user_revoked_channel(h.prefix), "dave -1"});
  client.command({"PUBLISH", redis::user_revoked_channel(h.prefix),
                  redis::user_revoked_payload("erin", 3000)});
  for (int i = 0; i < 100 && h.announced.load() == before; ++i) std::this_thread::sleep_for(20ms);
  CHECK(h.announced.load() == before + 1);
  CHECK(h.revocations->known_revoked(user("erin", 1)));
  CHECK_FALSE(h.revocations->known_revoked(user("dave", 1)));
}

TEST_CASE("token revocation: with Redis unreachable the check fails open, keeping what the cache knows") {
  RevocationHarness h(1, 0ms);  // nothing listens on port 1
  // Learnt before the outage (as from an announcement): still applied.
  h.revocations->cache().store("frank", 9000, RevocationCache::Clock::now());
  auto unavailable = checks("unavailable");
  CHECK(h.revocations->revoked(user("frank", 8000)));
  CHECK_FALSE(h.revocations->revoked(user("frank", 9000)));
  CHECK_FALSE(h.revocations->revoked(user("gina", 1)));  // unknown: the token's claims decide
  CHECK(checks("unavailable") == unavailable + 3);
}
