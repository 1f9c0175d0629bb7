#include <catch2/catch.hpp>

#include "botfactory/redis/publisher.hpp"
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
