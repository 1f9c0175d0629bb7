// Visitor presence in Redis (redis::PresenceHeartbeat / PresenceReader, gateway
// VisitorPresence) against the real test Redis: heartbeats, counted holds, removal on release
// and on socket close, expiry of a crashed holder (injected wall clock), pipelined batches, a
// Redis outage. No timing assertions beyond upper bounds.
#include <catch2/catch.hpp>

#include <hiredis/hiredis.h>

#include <atomic>

#include "botfactory/redis/presence_heartbeat.hpp"
#include "botfactory/redis/presence_keys.hpp"
#include "botfactory/redis/presence_reader.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

namespace {

/// A wall clock the test moves by hand.
struct ManualClock {
  std::atomic<std::int64_t> ms{1'800'000'000'000};
  redis::WallClock fn() {
    return [this] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms.load())); };
  }
};

redis::PresenceSettings short_presence() {
  redis::PresenceSettings s;
  s.heartbeat = std::chrono::milliseconds(300);
  s.ttl = std::chrono::milliseconds(1000);
  return s;
}

std::int64_t integer(redis::BlockingClient& client, std::initializer_list<std::string_view> args) {
  auto reply = client.command(args);
  REQUIRE(reply);
  REQUIRE(reply->type == REDIS_REPLY_INTEGER);
  return reply->integer;
}

}  // namespace

TEST_CASE("presence: a hold is written, refreshed, counted, released and dropped after a crash") {
  const std::string key = "prtest-" + common::random_base62(10) + ":presence:conv:c1";
  ManualClock clock;
  redis::BlockingClient client(testenv::redis_host(), testenv::redis_port());
  redis::PresenceReader reader(client, clock.fn());
  redis::PresenceHeartbeat a(testenv::redis_host(), testenv::redis_port(), {}, short_presence(),
                             clock.fn());
  redis::PresenceHeartbeat b(testenv::redis_host(), testenv::redis_port(), {}, short_presence(),
                             clock.fn());

  CHECK(reader.count(key) == 0);
  a.hold(key, "replica-a");
  a.hold(key, "replica-a");  // two sockets of one replica: one member, counted holds
  CHECK(a.held() == 1);
  REQUIRE(a.beat(false));
  CHECK(reader.count(key) == 1);
  auto pttl = integer(client, {"PTTL", key});
  CHECK(pttl > 0);
  CHECK(pttl <= 1000);  // the key itself expires with the TTL

  b.hold(key, "replica-b");
  REQUIRE(b.beat(false));
  CHECK(reader.count(key) == 2);

  a.release(key, "replica-a");  // one of two holds: still present
  REQUIRE(a.beat(false));
  CHECK(reader.count(key) == 2);
  a.release(key, "replica-a");
  CHECK(a.held() == 0);
  REQUIRE(a.beat(false));
  CHECK(reader.members(key) == std::vector<std::string>{"replica-b"});

  SECTION("a replica that stops refreshing (crashed) drops out after the TTL, not before") {
    clock.ms += 999;
    CHECK(reader.count(key) == 1);
    clock.ms += 2;
    CHECK(reader.count(key) == 0);
    // Another replica's heartbeat prunes the stale member from the set.
    a.hold(key, "replica-a");
    REQUIRE(a.beat(false));
    CHECK(reader.members(key) == std::vector<std::string>{"replica-a"});
    CHECK(integer(client, {"ZCARD", key}) == 1);
  }
  SECTION("a refreshing replica stays present past the TTL") {
    for (int i = 0; i < 5; ++i) {
      clock.ms += 300;
      REQUIRE(b.beat(true));
    }
    CHECK(reader.count(key) == 1);
  }
  SECTION("stop() removes what the replica held at once") {
    b.stop();
    CHECK(reader.count(key) == 0);
    b.hold(key, "replica-b");  // after stop: ignored
    CHECK(b.held() == 0);
    REQUIRE(b.beat(false));
    CHECK(reader.count(key) == 0);
  }
  client.command({"DEL", key});
}

TEST_CASE("presence: many entries go out in pipelined batches; an outage keeps the work") {
  const std::string prefix = "prtest-" + common::random_base62(10) + ":";
  ManualClock clock;
  redis::BlockingClient client(testenv::redis_host(), testenv::redis_port());
  redis::PresenceReader reader(client, clock.fn());
  auto settings = short_presence();
  settings.batch = 64;
  redis::PresenceHeartbeat heartbeat(testenv::redis_host(), testenv::redis_port(), {}, settings,
                                     clock.fn());
  for (int i = 0; i < 300; ++i) heartbeat.hold(redis::conversation_presence_key(prefix, std::to_string(i)), "r");
  REQUIRE(heartbeat.beat(true));
  for (int i : {0, 63, 64, 199, 299}) {
    CHECK(reader.count(redis::conversation_presence_key(prefix, std::to_string(i))) == 1);
  }
  heartbeat.stop();
  CHECK(reader.count(redis::conversation_presence_key(prefix, "150")) == 0);

  // Redis unreachable: the round fails, the entry is kept for the next one; reads say "unknown".
  redis::BlockingClient nowhere("127.0.0.1", 1, std::chrono::milliseconds(200));
  redis::PresenceReader blind(nowhere, clock.fn());
  CHECK_FALSE(blind.count("x").has_value());
  redis::PresenceHeartbeat cut("127.0.0.1", 1, {}, settings, clock.fn(), std::chrono::milliseconds(200));
  cut.hold("x", "r");
  CHECK_FALSE(cut.beat(false));
  CHECK(cut.held() == 1);
}

TEST_CASE("presence: a room key's members share one ZADD, PEXPIRE and trim per round") {
  const std::string prefix = "prtest-" + common::random_base62(10) + ":";
  const auto big = redis::room_presence_key(prefix, "big");  // split over several round trips
  const auto two = redis::room_presence_key(prefix, "two");
  ManualClock clock;
  redis::BlockingClient client(testenv::redis_host(), testenv::redis_port());
  redis::PresenceReader reader(client, clock.fn());
  auto settings = short_presence();
  settings.batch = 64;
  redis::PresenceHeartbeat a(testenv::redis_host(), testenv::redis_port(), {}, settings, clock.fn());
  redis::PresenceHeartbeat killed(testenv::redis_host(), testenv::redis_port(), {}, settings,
                                  clock.fn());
  for (int i = 0; i < 150; ++i) a.hold(big, "a|visitor|v" + std::to_string(i) + "|V");
  a.hold(two, "a|user|u1|U");
  a.hold(two, "a|user|u2|W");
  killed.hold(big, "k|visitor|gone|G");
  REQUIRE(killed.beat(true));
  // A member nobody refreshes any more (expired score): the next round's trim drops it.
  REQUIRE(client.command({"ZADD", big, std::to_string(clock.ms.load() - 1), "old|visitor|x|X"}));

  const auto before = a.commands_sent();
  REQUIRE(a.beat(true));
  // 152 entries in 64-entry rounds: 3 rounds; per key part one ZADD + PEXPIRE, one trim per
  // key (per member it was 3 × 152 = 456 commands).
  const auto sent = a.commands_sent() - before;
  CHECK(sent >= 8);
  CHECK(sent <= 12);
  CHECK(reader.count(big) == 151);  // 150 + the other replica's member
  CHECK(reader.count(two) == 2);
  CHECK(integer(client, {"ZCARD", big}) == 151);  // the expired member trimmed
  for (const auto& key : {big, two}) {
    auto pttl = integer(client, {"PTTL", key});
    CHECK(pttl > 0);
    CHECK(pttl <= 1000);
  }

  SECTION("a killed replica's members drop out after the TTL while the other keeps refreshing") {
    // `killed` stops refreshing (no stop(): a crash). `a` beats every 300 ms.
    for (int i = 0; i < 3; ++i) {
      clock.ms += 300;
      REQUIRE(a.beat(true));
    }
    clock.ms += 200;  // 1 100 ms after the killed replica's last write
    CHECK(reader.count(big) == 150);
    REQUIRE(a.beat(true));  // its trim removes the stale entry from the set itself
    CHECK(integer(client, {"ZCARD", big}) == 150);
    auto score = client.command({"ZSCORE", big, "k|visitor|gone|G"});
    REQUIRE(score);
    CHECK(score->type == REDIS_REPLY_NIL);
  }
  SECTION("members of one key released together go in one ZREM; the rest stay") {
    for (int i = 0; i < 100; ++i) a.release(big, "a|visitor|v" + std::to_string(i) + "|V");
    a.release(two, "a|user|u1|U");
    const auto mark = a.commands_sent();
    REQUIRE(a.beat(false));
    CHECK(a.commands_sent() - mark <= 4);  // 101 removals: ZREM big ×2 (64 + 36), ZREM two
    CHECK(reader.count(big) == 51);
    CHECK(reader.members(two) == std::vector<std::string>{"a|user|u2|W"});
  }
  a.stop();
  CHECK(reader.count(two) == 0);
  client.command({"DEL", big});
  client.command({"DEL", two});
}

TEST_CASE("presence: a visitor socket's join is recorded by its replica and removed on close") {
  Fleet fleet([](gateway::GatewaySettings& s) {
    s.presence_heartbeat = std::chrono::milliseconds(200);
    s.presence_ttl = std::chrono::milliseconds(20000);  // removal must not be the expiry
  });
  redis::BlockingClient client(testenv::redis_host(), testenv::redis_port());
  redis::PresenceReader reader(client);
  auto session = widget_session(fleet.a->port());
  const auto key = redis::conversation_presence_key(fleet.name + ":", session.conversation_id);
  auto wait_for = [&](std::int64_t expected) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (reader.count(key) != expected && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    return reader.count(key) == expected;
  };
  CHECK(reader.count(key) == 0);

  // An operator watching is not a visitor: no presence.
  auto owner = user_token(fleet.fakes, kTenant);
  WsClient op(fleet.b->port(), owner);
  REQUIRE(op.open());
  op.join(session.conversation_id, 0);
  op.read_type("conversation.joined");

  {
    WsClient visitor(fleet.a->port(), session.token);
    REQUIRE(visitor.open());
    visitor.join(session.conversation_id, 0);
    visitor.read_type("conversation.joined");
    CHECK(wait_for(1));
    // A second tab of the same visitor on the other replica: two replicas hold it.
    WsClient tab(fleet.b->port(), session.token);
    REQUIRE(tab.open());
    tab.join(session.conversation_id, 0);
    tab.read_type("conversation.joined");
    CHECK(wait_for(2));
    tab.send_json({{"type", "conversation.leave"}, {"conversation_id", session.conversation_id}});
    tab.read_type("conversation.left");
    CHECK(wait_for(1));
    visitor.close();
  }
  // Closed: removed at once (the 5 s bound is well before the 20 s TTL).
  CHECK(wait_for(0));
  CHECK(reader.count(key) == 0);
}
