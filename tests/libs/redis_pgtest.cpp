#include <catch2/catch.hpp>

#include <thread>

#include "botfactory/common/random.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/redis/window_counter.hpp"
#include "botfactory/testenv/redis_acl_user.hpp"
#include "botfactory/testenv/test_env.hpp"

using namespace botfactory;

TEST_CASE("publisher reaches the test Redis and reports unreachable servers") {
  redis::Publisher publisher(testenv::redis_host(), testenv::redis_port());
  CHECK(publisher.ping());
  CHECK(publisher.publish("chat:conv:nobody", "{}") == 0);
  redis::Publisher nowhere("127.0.0.1", 1, std::chrono::milliseconds(200));
  CHECK_FALSE(nowhere.ping());
  CHECK(nowhere.publish("x", "y") == -1);
}

TEST_CASE("window counter: hits counted per key and window, restarting when it ends") {
  using std::chrono::milliseconds;
  redis::WindowCounter counter(testenv::redis_host(), testenv::redis_port());
  std::string key = "test:rl:" + common::random_base62(12);
  std::string other = key + ":other";
  for (std::int64_t expected = 1; expected <= 3; ++expected) {
    auto hit = counter.hit(key, milliseconds(400));
    REQUIRE(hit);
    CHECK(hit->count == expected);
    CHECK(hit->resets_in > milliseconds(0));
    CHECK(hit->resets_in <= milliseconds(400));
  }
  auto separate = counter.hit(other, milliseconds(400));
  REQUIRE(separate);
  CHECK(separate->count == 1);  // keys are independent
  std::this_thread::sleep_for(milliseconds(500));
  auto fresh = counter.hit(key, milliseconds(400));
  REQUIRE(fresh);
  CHECK(fresh->count == 1);  // the window ended: counting restarts

  redis::WindowCounter nowhere("127.0.0.1", 1, milliseconds(200));
  CHECK_FALSE(nowhere.hit(key, milliseconds(400)));
}

TEST_CASE("AUTH: the right credentials work, wrong ones fail without leaking them") {
  using std::chrono::milliseconds;
  testenv::RedisAclUser user;
  redis::Publisher publisher(testenv::redis_host(), testenv::redis_port(), milliseconds(500),
                             user.credentials());
  CHECK(publisher.ping());
  CHECK(publisher.publish("test:auth:nobody", "{}") == 0);
  redis::WindowCounter counter(testenv::redis_host(), testenv::redis_port(), milliseconds(500),
                               user.credentials());
  auto hit = counter.hit("test:auth:" + common::random_base62(8), milliseconds(1000));
  REQUIRE(hit);
  CHECK(hit->count == 1);

  redis::Publisher refused(testenv::redis_host(), testenv::redis_port(), milliseconds(500),
                           user.credentials(false));
  CHECK_FALSE(refused.ping());
  CHECK(refused.publish("test:auth:nobody", "{}") == -1);
}
