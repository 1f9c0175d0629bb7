// The replica lease settings (CHANNEL_LEASE_MS, CHANNEL_LEASE_RENEW_MS) and the heartbeat's task
// runner: defaults, copying into the poller, inbox and outbox, the renew-at-most-half-the-lease
// rule, a failing task that never stops the others, and the attachment sweeper's settings.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <stdexcept>

#include "channels/binding_settings.hpp"
#include "botfactory/common/config.hpp"
#include "channels/lease_heartbeat.hpp"
#include "settings.hpp"

using namespace botfactory;
using namespace botfactory::channel;

namespace {

struct Env {
  Env(const char* lease, const char* renew) {
    set("CHANNEL_LEASE_MS", lease);
    set("CHANNEL_LEASE_RENEW_MS", renew);
  }
  ~Env() {
    unsetenv("CHANNEL_LEASE_MS");
    unsetenv("CHANNEL_LEASE_RENEW_MS");
  }
  static void set(const char* name, const char* value) {
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
};

}  // namespace

TEST_CASE("lease settings: 10 s renewed every 3 s by default, one lease for poller, inbox and outbox") {
  Env env(nullptr, nullptr);
  auto s = binding_settings_from_env(std::chrono::milliseconds(60000));
  CHECK(s.leases.lease == std::chrono::milliseconds(10000));
  CHECK(s.leases.renew_every == std::chrono::milliseconds(3000));
  CHECK(s.poller.lease == s.leases.lease);
  CHECK(s.inbox.lease == s.leases.lease);
  CHECK(s.outbox.lease == s.leases.lease);
  CHECK(s.poller.refresh == s.leases.renew_every);
}

TEST_CASE("lease settings: a renewal slower than half the lease, or out of range, is refused") {
  {
    Env env("4000", "1000");
    auto s = binding_settings_from_env(std::chrono::milliseconds(60000));
    CHECK(s.inbox.lease == std::chrono::milliseconds(4000));
    CHECK(s.poller.refresh == std::chrono::milliseconds(1000));
  }
  {
    Env env("4000", "2001");
    CHECK_THROWS_AS(binding_settings_from_env(std::chrono::milliseconds(60000)), common::ConfigError);
  }
  {
    Env env("500", "100");
    CHECK_THROWS_AS(binding_settings_from_env(std::chrono::milliseconds(60000)), common::ConfigError);
  }
}

TEST_CASE("heartbeat: every task runs on each beat, a throwing one does not stop the rest") {
  int first = 0, third = 0;
  LeaseHeartbeat beat(std::chrono::milliseconds(1000),
                      {[&] { ++first; }, [] { throw std::runtime_error("database down"); }, [&] { ++third; }});
  beat.beat();
  beat.beat();
  CHECK(first == 2);
  CHECK(third == 2);
}

TEST_CASE("held ids: added, removed, listed in order") {
  HeldIds ids;
  ids.add(7);
  ids.add(3);
  ids.add(7);
  CHECK(ids.snapshot() == std::vector<std::int64_t>{3, 7});
  ids.remove(3);
  CHECK(ids.size() == 1);
}

TEST_CASE("attachment sweeper settings: every minute, 100 files a batch; 0 turns it off; "
          "a sub-second interval or a batch out of range is refused") {
  {
    Env::set("ATTACHMENT_SWEEP_INTERVAL_MS", nullptr);
    Env::set("ATTACHMENT_SWEEP_BATCH", nullptr);
    auto s = settings_from_env();
    CHECK(s.attachment_sweep.interval == std::chrono::milliseconds(60000));
    CHECK(s.attachment_sweep.batch == 100);
  }
  Env::set("ATTACHMENT_SWEEP_INTERVAL_MS", "0");
  Env::set("ATTACHMENT_SWEEP_BATCH", "5");
  auto off = settings_from_env();
  CHECK(off.attachment_sweep.interval == std::chrono::milliseconds(0));
  CHECK(off.attachment_sweep.batch == 5);
  Env::set("ATTACHMENT_SWEEP_INTERVAL_MS", "50");
  CHECK_THROWS_AS(settings_from_env(), common::ConfigError);
  Env::set("ATTACHMENT_SWEEP_INTERVAL_MS", "1000");
  Env::set("ATTACHMENT_SWEEP_BATCH", "0");
  CHECK_THROWS_AS(settings_from_env(), common::ConfigError);
  unsetenv("ATTACHMENT_SWEEP_INTERVAL_MS");
  unsetenv("ATTACHMENT_SWEEP_BATCH");
}
