// Telegram's send rates held across replicas: two SharedSendRateLimiter instances (two
// channel-connector replicas) on the harness' real Redis, with an injected clock shared by both.
// The assertions are on the granted slots (data), never on how long the test took.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "botfactory/common/random.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/redis/spaced_slots.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "channels/shared_send_rate_limiter.hpp"

using namespace botfactory;
using namespace botfactory::channel;
using std::chrono::milliseconds;

namespace {

std::unique_ptr<redis::SpacedSlots> slots_on(int port) {
  return std::make_unique<redis::SpacedSlots>(testenv::redis_host(), port, milliseconds(250));
}

/// Max entries of `times_us` (sorted µs) in any window [t, t + 1 s).
int max_in_one_second(std::vector<std::int64_t> times_us) {
  std::sort(times_us.begin(), times_us.end());
  int best = 0;
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < times_us.size(); ++hi) {
    while (times_us[hi] - times_us[lo] >= 1000000) ++lo;
    best = std::max(best, static_cast<int>(hi - lo + 1));
  }
  return best;
}

}  // namespace

TEST_CASE("send rates across two replicas: 1 per chat per s at arrival, <= limit per bot in granted slots") {
  metrics::Registry registry;
  const std::string prefix = "test:" + common::random_token(8) + ":";
  std::int64_t now_us = 1'700'000'000'000'000;  // the shared clock, advanced by the loop
  auto clock = [&] { return now_us; };
  const SendRates rates{30, milliseconds(1000)};
  SharedSendRateLimiter replica_a(slots_on(testenv::redis_port()), rates, prefix, registry, clock);
  SharedSendRateLimiter replica_b(slots_on(testenv::redis_port()), rates, prefix, registry, clock);

  // 30 messages to chat "one" and 120 spread over 20 chats of one bot, offered to both replicas
  // (like two outbox workers on two replicas claiming the heads of different conversations):
  // each chat is tried, in order, when the wait it was last given has passed and its previous
  // send finished. Each send takes 0–300 ms (a busy machine) and reaches Telegram somewhere in
  // that time; the replica that sent it reports the end (sent()).
  std::map<std::string, int> pending{{"one", 30}};
  for (int i = 0; i < 120; ++i) ++pending["c" + std::to_string(i % 20)];
  std::map<std::string, std::int64_t> next_try;
  std::map<std::string, std::vector<std::int64_t>> per_chat;  // arrivals at Telegram
  std::vector<std::int64_t> bot;                              // granted slots
  struct Flight {
    std::string chat;
    std::int64_t done_us;
    bool on_a;
  };
  std::vector<Flight> flights;
  int by_a = 0, by_b = 0, left = 150;
  std::uint32_t rng = 777;
  auto next = [&] { return rng = rng * 1664525u + 1013904223u, rng >> 8; };
  for (int step = 0; left > 0 && step < 200000; ++step) {
    now_us += 1000 * (1 + next() % 7);  // 1–7 ms
    std::erase_if(flights, [&](const Flight& f) {
      if (f.done_us > now_us) return false;
      (f.on_a ? replica_a : replica_b).sent("bot-1", f.chat);
      return true;
    });
    for (auto& [chat, count] : pending) {
      if (count == 0 || now_us < next_try[chat]) continue;
      if (std::any_of(flights.begin(), flights.end(), [&](const Flight& f) { return f.chat == chat; })) continue;
      bool on_a = next() % 2 == 0;
      auto booking = (on_a ? replica_a : replica_b).book("bot-1", chat);
      REQUIRE(booking.shared);  // Redis answered
      if (booking.wait.count() > 0) {
        next_try[chat] = now_us + booking.wait.count() * 1000;
        continue;
      }
      CHECK(booking.at_us == now_us);  // booked at the injected time
      --count;
      --left;
      (on_a ? by_a : by_b) += 1;
      std::int64_t duration_us = 1000 * static_cast<std::int64_t>(next() % 301);
      per_chat[chat].push_back(booking.at_us + static_cast<std::int64_t>(next() % (duration_us + 1)));
      flights.push_back({chat, booking.at_us + duration_us, on_a});
      bot.push_back(booking.at_us);
    }
  }
  REQUIRE(left == 0);
  CHECK(by_a > 20);  // both replicas sent
  CHECK(by_b > 20);
  CHECK(max_in_one_second(bot) <= 30);
  std::int64_t min_gap_us = INT64_MAX;
  for (auto& [chat, times] : per_chat) {
    std::sort(times.begin(), times.end());
    for (std::size_t i = 1; i < times.size(); ++i) min_gap_us = std::min(min_gap_us, times[i] - times[i - 1]);
  }
  CHECK(min_gap_us >= 1050000);  // 1000 ms + 5 %, between arrivals despite 0–300 ms sends
  std::vector<std::int64_t> sorted = bot;
  std::sort(sorted.begin(), sorted.end());
  std::int64_t min_bot_gap_us = INT64_MAX;
  for (std::size_t i = 1; i < sorted.size(); ++i) min_bot_gap_us = std::min(min_bot_gap_us, sorted[i] - sorted[i - 1]);
  CHECK(min_bot_gap_us >= 35001);  // 1 s / 30 + 5 %
  CHECK(registry.counter("channel_send_rate_local_total", "").value() == 0);
}

TEST_CASE("send rates fall back to this replica's own spacing when Redis does not answer") {
  metrics::Registry registry;
  // A port nothing listens on: every call fails at connect.
  SharedSendRateLimiter limiter(slots_on(1), SendRates{30, milliseconds(1000)}, "test:", registry);
  auto first = limiter.book("bot-1", "chat-1");
  CHECK_FALSE(first.shared);
  CHECK(first.wait.count() == 0);
  auto second = limiter.book("bot-1", "chat-1");  // the local limiter spaces it
  CHECK_FALSE(second.shared);
  CHECK(second.wait.count() > 0);
  CHECK(registry.counter("channel_send_rate_local_total", "").value() == 2);
}
