// DeltaCoalescer with an injected clock: what is published when, without sleeping.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pipeline/delta_coalescer.hpp"

using botfactory::channel::CoalesceSettings;
using botfactory::channel::DeltaCoalescer;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  std::chrono::steady_clock::time_point now{std::chrono::seconds(1000)};
  std::vector<std::string> published;
  DeltaCoalescer make(CoalesceSettings settings) {
    return DeltaCoalescer(settings, [this] { return now; },
                          [this](std::string_view text) { published.emplace_back(text); });
  }
};

}  // namespace

TEST_CASE("the first delta goes out at once, a burst within the interval waits for it") {
  Fixture f;
  auto c = f.make(CoalesceSettings{50ms, 1024});
  c.add("Hel");
  REQUIRE(f.published == std::vector<std::string>{"Hel"});
  f.now += 10ms;
  c.add("lo");
  f.now += 10ms;
  c.add(", ");
  CHECK(f.published.size() == 1);  // 20 ms after the last flush: buffered
  f.now += 30ms;                    // 50 ms after the last flush
  c.add("wor");
  CHECK(f.published == std::vector<std::string>{"Hel", "lo, wor"});
  f.now += 1ms;
  c.add("ld");
  c.finish();  // before the final message: whatever is left
  CHECK(f.published == std::vector<std::string>{"Hel", "lo, wor", "ld"});
  CHECK(c.flushes() == 3);
  c.finish();  // nothing buffered: nothing published
  CHECK(f.published.size() == 3);
}

TEST_CASE("200 tokens of a fast model cost a handful of publishes, text intact") {
  Fixture f;
  auto c = f.make(CoalesceSettings{50ms, 1024});
  std::string all;
  for (int i = 0; i < 200; ++i) {
    std::string token = "tok" + std::to_string(i) + " ";
    all += token;
    c.add(token);
    f.now += 1ms;  // a token a millisecond
  }
  c.finish();
  std::string joined;
  for (const auto& p : f.published) joined += p;
  CHECK(joined == all);
  CHECK(f.published.size() <= 6);  // 1 at once + one per 50 ms + the rest at finish
}

TEST_CASE("the byte bound flushes without waiting for the interval") {
  Fixture f;
  auto c = f.make(CoalesceSettings{1h, 8});
  c.add("a");  // first: at once
  c.add("bcd");
  c.add("efgh");
  CHECK(f.published == std::vector<std::string>{"a"});
  c.add("ijkl");  // 11 bytes buffered >= 8
  CHECK(f.published == std::vector<std::string>{"a", "bcdefghijkl"});
}

TEST_CASE("a zero interval publishes every delta; empty deltas are ignored") {
  Fixture f;
  auto c = f.make(CoalesceSettings{0ms, 1024});
  c.add("a");
  c.add("");
  c.add("b");
  c.add("c");
  c.finish();
  CHECK(f.published == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("a slow model's deltas each go out as they come") {
  Fixture f;
  auto c = f.make(CoalesceSettings{50ms, 1024});
  for (const char* piece : {"one ", "two ", "three"}) {
    c.add(piece);
    f.now += 200ms;
  }
  c.finish();
  CHECK(f.published == std::vector<std::string>{"one ", "two ", "three"});
}
