// botfactory::redis::Subscriber against the real test Redis: subscribe, receive, unsubscribe,
// reconnect after the server drops the connection (CLIENT KILL of its named connection).
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "botfactory/common/random.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/redis/subscriber.hpp"
#include "botfactory/testenv/redis_acl_user.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "redis_admin.hpp"

using namespace botfactory;
using namespace std::chrono_literals;

namespace {

/// Runs an io_context on one thread and records what the subscriber reports.
struct Harness {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  redis::Subscriber subscriber;
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<std::string, std::string>> messages;
  std::multiset<std::string> subscribed;
  int reconnects = 0;
  std::thread thread;

  redis::SubscriberOptions options;

  explicit Harness(redis::SubscriberOptions o) : subscriber(io, o), options(o) {
    subscriber.on_message([this](std::string_view channel, std::string_view payload) {
      std::lock_guard lock(mutex);
      messages.emplace_back(channel, payload);
      changed.notify_all();
    });
    subscriber.on_subscribed([this](std::string_view channel) {
      std::lock_guard lock(mutex);
      subscribed.emplace(channel);
      changed.notify_all();
    });
    subscriber.on_reconnect([this] {
      std::lock_guard lock(mutex);
      ++reconnects;
      changed.notify_all();
    });
    subscriber.start();
    thread = std::thread([this] { io.run(); });
  }

  ~Harness() {
    subscriber.stop();
    work.reset();
    io.stop();
    thread.join();
  }

  /// Waits until `pred` holds (checked on every handler call and every 10 ms, since some
  /// state such as connected() changes without a handler call).
  template <typename Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex);
    while (!pred()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      changed.wait_for(lock, 10ms);
    }
    return true;
  }
};

redis::SubscriberOptions test_options() {
  redis::SubscriberOptions options;
  options.host = testenv::redis_host();
  options.port = testenv::redis_port();
  options.client_name = "subtest-" + common::random_base62(10);
  return options;
}

/// Publishes until a subscriber is counted (the SUBSCRIBE confirmation can precede the moment
/// our own publish reaches Redis) or the deadline passes; returns the last receiver count.
std::int64_t publish_until_received(redis::Publisher& publisher, const std::string& channel,
                                    const std::string& payload) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  std::int64_t receivers = 0;
  while ((receivers = publisher.publish(channel, payload)) < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  return receivers;
}

}  // namespace

TEST_CASE("subscriber receives what the publisher sends and unsubscribes") {
  Harness h(test_options());
  redis::Publisher publisher(testenv::redis_host(), testenv::redis_port());
  std::string channel = "test:sub:" + common::random_base62(8);

  REQUIRE(h.wait([&] { return h.subscriber.connected(); }));
  h.subscriber.subscribe(channel);
  h.subscriber.subscribe(channel);  // idempotent
  REQUIRE(h.wait([&] { return h.subscribed.count(channel) == 1; }));
  CHECK(publisher.publish(channel, "one") == 1);  // confirmed means Redis already counts us
  CHECK(publisher.publish(channel, std::string("bin\0ary", 7)) == 1);
  REQUIRE(h.wait([&] { return h.messages.size() == 2; }));
  CHECK(h.messages[0] == std::pair<std::string, std::string>(channel, "one"));
  CHECK(h.messages[1].second == std::string("bin\0ary", 7));
  CHECK(h.subscribed.count(channel) == 1);  // the repeated subscribe sent nothing

  h.subscriber.unsubscribe(channel);
  h.subscriber.unsubscribe(channel);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (publisher.publish(channel, "late") != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK(publisher.publish(channel, "late") == 0);
  CHECK(h.reconnects == 0);
}

TEST_CASE("subscriber reconnects, re-subscribes and reports the reconnect") {
  Harness h(test_options());
  redis::Publisher publisher(testenv::redis_host(), testenv::redis_port());
  std::string a = "test:re:a:" + common::random_base62(8);
  std::string b = "test:re:b:" + common::random_base62(8);
  h.subscriber.subscribe(a);
  h.subscriber.subscribe(b);
  REQUIRE(h.wait([&] { return h.subscribed.count(a) == 1 && h.subscribed.count(b) == 1; }));
  REQUIRE(h.subscriber.connect_count() == 1);

  // The server drops the subscriber's connection (found by its CLIENT SETNAME).
  CHECK(gateway_test::kill_redis_clients(h.options.client_name) == 1);

  REQUIRE(h.wait([&] { return h.reconnects == 1; }));
  CHECK(h.subscriber.connected());
  CHECK(h.subscriber.connect_count() == 2);
  CHECK(h.subscribed.count(a) == 2);  // confirmed again before on_reconnect
  CHECK(h.subscribed.count(b) == 2);
  CHECK(publish_until_received(publisher, a, "after") == 1);
  REQUIRE(h.wait([&] { return !h.messages.empty(); }));
  CHECK(h.messages.back() == std::pair<std::string, std::string>(a, "after"));
}

TEST_CASE("subscriber keeps retrying an unreachable server without reporting a connection") {
  redis::SubscriberOptions options;
  options.host = "127.0.0.1";
  options.port = 1;  // nothing listens there
  options.min_backoff = 10ms;
  options.max_backoff = 20ms;
  Harness h(options);
  h.subscriber.subscribe("never");
  CHECK_FALSE(h.wait([&] { return h.subscriber.connected(); }, 300ms));
  CHECK(h.subscriber.connect_count() == 0);
  CHECK(h.subscribed.empty());
}

TEST_CASE("subscriber sends AUTH first; a refused AUTH never counts as connected") {
  testenv::RedisAclUser user;
  auto options = test_options();
  options.credentials = user.credentials();
  Harness h(options);
  redis::Publisher publisher(testenv::redis_host(), testenv::redis_port());
  std::string channel = "test:auth:" + common::random_base62(8);
  h.subscriber.subscribe(channel);
  REQUIRE(h.wait([&] { return h.subscribed.count(channel) == 1; }));
  CHECK(publish_until_received(publisher, channel, "hello") == 1);
  REQUIRE(h.wait([&] { return !h.messages.empty(); }));
  CHECK(h.messages[0].second == "hello");

  auto wrong = test_options();
  wrong.credentials = user.credentials(false);
  wrong.min_backoff = 20ms;
  wrong.max_backoff = 50ms;
  Harness refused(wrong);
  refused.subscriber.subscribe(channel);
  std::this_thread::sleep_for(500ms);
  CHECK_FALSE(refused.subscriber.connected());
  CHECK(refused.subscribed.empty());
  CHECK(refused.subscriber.connect_count() >= 2);  // it keeps retrying with backoff
}
