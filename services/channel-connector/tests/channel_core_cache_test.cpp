// ChannelCoreCache (chanperf): channels' core rows kept for the hot paths — found rows kept for
// the ttl, missing ones never kept, invalidation, a load that raced an invalidation not kept,
// the entry bound, ttl 0 = off, load errors passed through; and the env settings.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <stdexcept>

#include "channels/binding_settings.hpp"
#include "botfactory/common/config.hpp"
#include "channels/channel_core_cache.hpp"

using namespace botfactory::channel;
using namespace std::chrono_literals;

namespace {

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  ChannelCoreCache::Clock fn() {
    return [this] { return now; };
  }
};

ChannelRecord record(const std::string& id, const std::string& state = "connected") {
  ChannelRecord r;
  r.id = id;
  r.state = state;
  return r;
}

}  // namespace

TEST_CASE("channel core cache: a found row is kept for the ttl, then loaded again") {
  FakeClock clock;
  ChannelCoreCache cache(1000ms, 8, clock.fn());
  int loads = 0;
  auto load = [&]() -> std::optional<ChannelRecord> {
    ++loads;
    return record("a", "v" + std::to_string(loads));
  };
  CHECK(cache.get("a", load)->state == "v1");
  clock.now += 999ms;
  CHECK(cache.get("a", load)->state == "v1");
  CHECK(loads == 1);
  clock.now += 1ms;  // expired
  CHECK(cache.get("a", load)->state == "v2");
  CHECK(loads == 2);
}

TEST_CASE("channel core cache: a missing channel is not kept; a load error passes through") {
  FakeClock clock;
  ChannelCoreCache cache(1000ms, 8, clock.fn());
  int loads = 0;
  auto missing = [&]() -> std::optional<ChannelRecord> {
    ++loads;
    return std::nullopt;
  };
  CHECK_FALSE(cache.get("a", missing));
  CHECK_FALSE(cache.get("a", missing));
  CHECK(loads == 2);
  CHECK(cache.size() == 0);
  auto failing = []() -> std::optional<ChannelRecord> { throw std::runtime_error("db down"); };
  CHECK_THROWS_WITH(cache.get("a", failing), "db down");
  CHECK(cache.size() == 0);
}

TEST_CASE("channel core cache: invalidate forgets a channel; a load racing it is not kept") {
  FakeClock clock;
  ChannelCoreCache cache(1000ms, 8, clock.fn());
  int loads = 0;
  auto load = [&]() -> std::optional<ChannelRecord> {
    ++loads;
    return record("a", "v" + std::to_string(loads));
  };
  CHECK(cache.get("a", load)->state == "v1");
  cache.invalidate("a");
  CHECK(cache.get("a", load)->state == "v2");
  // A load that read the row before an invalidation (another thread changed it meanwhile).
  cache.invalidate("a");
  auto racing = [&]() -> std::optional<ChannelRecord> {
    cache.invalidate("a");  // the change lands while this load is under way
    return record("a", "stale");
  };
  CHECK(cache.get("a", racing)->state == "stale");  // answered, but not kept
  CHECK(cache.get("a", load)->state == "v3");
}

TEST_CASE("channel core cache: never more than max_entries channels") {
  FakeClock clock;
  ChannelCoreCache cache(1000ms, 4, clock.fn());
  int loads = 0;
  for (int i = 0; i < 50; ++i) {
    auto id = "c" + std::to_string(i);
    cache.get(id, [&]() -> std::optional<ChannelRecord> {
      ++loads;
      return record(id);
    });
    CHECK(cache.size() <= 4);
    clock.now += 300ms;  // some of the older ones expire along the way
  }
  CHECK(loads == 50);
}

TEST_CASE("channel core cache: ttl 0 keeps nothing") {
  ChannelCoreCache cache(0ms, 8);
  int loads = 0;
  auto load = [&]() -> std::optional<ChannelRecord> {
    ++loads;
    return record("a");
  };
  cache.get("a", load);
  cache.get("a", load);
  CHECK(loads == 2);
  CHECK(cache.size() == 0);
}

TEST_CASE("channel core cache settings: defaults, range checks") {
  unsetenv("CHANNEL_CACHE_TTL_MS");
  unsetenv("CHANNEL_CACHE_MAX_ENTRIES");
  auto s = binding_settings_from_env(std::chrono::milliseconds(30000));
  CHECK(s.channel_cache_ttl == 1000ms);
  CHECK(s.channel_cache_max_entries == 1024);
  setenv("CHANNEL_CACHE_TTL_MS", "0", 1);
  CHECK(binding_settings_from_env(std::chrono::milliseconds(30000)).channel_cache_ttl == 0ms);
  setenv("CHANNEL_CACHE_TTL_MS", "60001", 1);
  CHECK_THROWS_AS(binding_settings_from_env(std::chrono::milliseconds(30000)), botfactory::common::ConfigError);
  unsetenv("CHANNEL_CACHE_TTL_MS");
  setenv("CHANNEL_CACHE_MAX_ENTRIES", "0", 1);
  CHECK_THROWS_AS(binding_settings_from_env(std::chrono::milliseconds(30000)), botfactory::common::ConfigError);
  unsetenv("CHANNEL_CACHE_MAX_ENTRIES");
}
