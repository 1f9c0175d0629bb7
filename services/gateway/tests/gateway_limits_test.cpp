// Unit tests of the gateway's hostile-client limits: client address keys (proxy hops, IPv6 /64),
// connection caps and the upstream circuit breaker (the bounded worker queue: libs_unit_test).
#include <catch2/catch.hpp>

#include "http/client_address.hpp"
#include "http/connection_limits.hpp"

using namespace botfactory::gateway;
using namespace std::chrono_literals;
namespace ip = boost::asio::ip;

TEST_CASE("addresses parse with or without brackets and ports; garbage does not") {
  CHECK(parse_address("203.0.113.7")->to_string() == "203.0.113.7");
  CHECK(parse_address(" 203.0.113.7:5678 ")->to_string() == "203.0.113.7");
  CHECK(parse_address("2001:db8::1")->to_string() == "2001:db8::1");
  CHECK(parse_address("[2001:db8::1]")->to_string() == "2001:db8::1");
  CHECK(parse_address("[2001:db8::1]:443")->to_string() == "2001:db8::1");
  CHECK_FALSE(parse_address(""));
  CHECK_FALSE(parse_address("unknown"));
  CHECK_FALSE(parse_address("[203.0.113.7]"));
  CHECK_FALSE(parse_address("[2001:db8::1]x"));
  CHECK_FALSE(parse_address("999.0.0.1"));
  CHECK_FALSE(parse_address(std::string(100, '1')));
}

TEST_CASE("IPv6 clients are keyed by their /64, IPv4-mapped IPv6 as IPv4") {
  CHECK(address_key(ip::make_address("203.0.113.7")) == "203.0.113.7");
  CHECK(address_key(ip::make_address("::ffff:203.0.113.7")) == "203.0.113.7");
  CHECK(address_key(ip::make_address("2001:db8:1:2:aaaa:bbbb:cccc:dddd")) == "2001:db8:1:2::/64");
  // Two addresses of one /64 share a key; the neighbouring /64 does not.
  CHECK(address_key(ip::make_address("2001:db8:1:2::1")) ==
        address_key(ip::make_address("2001:db8:1:2:ffff::9")));
  CHECK(address_key(ip::make_address("2001:db8:1:3::1")) != "2001:db8:1:2::/64");
  CHECK(address_key(ip::make_address("::1")) == "::/64");
}

TEST_CASE("X-Forwarded-For is trusted only for the configured hops, counted from the right") {
  auto peer = ip::make_address("10.0.0.5");
  // No trusted proxy: whatever the client wrote is ignored.
  CHECK(client_key(peer, "203.0.113.7", 0) == "10.0.0.5");
  // One proxy appends the client: a forged first entry does not count.
  CHECK(client_key(peer, "1.2.3.4, 203.0.113.7", 1) == "203.0.113.7");
  CHECK(client_key(peer, "203.0.113.7", 1) == "203.0.113.7");
  // Two proxies: the second from the right.
  CHECK(client_key(peer, "1.2.3.4, 203.0.113.7, 10.0.0.9", 2) == "203.0.113.7");
  // Fewer entries than hops: the leftmost.
  CHECK(client_key(peer, "203.0.113.7", 3) == "203.0.113.7");
  // Nothing usable: the peer.
  CHECK(client_key(peer, "", 1) == "10.0.0.5");
  CHECK(client_key(peer, " , ", 1) == "10.0.0.5");
  CHECK(client_key(peer, "1.2.3.4, garbage", 1) == "10.0.0.5");
  // IPv6 behind the proxy is keyed by /64, also with a port.
  CHECK(client_key(peer, "[2001:db8:1:2::77]:4711", 1) == "2001:db8:1:2::/64");
  CHECK(client_key(ip::make_address("2001:db8:9:9::1"), "", 0) == "2001:db8:9:9::/64");
}

TEST_CASE("connection caps count per address and in total; slots give back on release") {
  ConnectionLimits limits(3, 2);
  ConnectionLimits::Refusal why{};
  auto a1 = limits.acquire("203.0.113.7", &why);
  auto a2 = limits.acquire("203.0.113.7", &why);
  REQUIRE(a1);
  REQUIRE(a2);
  CHECK_FALSE(limits.acquire("203.0.113.7", &why));
  CHECK(why == ConnectionLimits::Refusal::kPerAddress);
  CHECK(limits.open_from("203.0.113.7") == 2);
  auto b = limits.acquire("198.51.100.1", &why);
  REQUIRE(b);
  CHECK_FALSE(limits.acquire("192.0.2.1", &why));
  CHECK(why == ConnectionLimits::Refusal::kTotal);
  a1.reset();
  CHECK(limits.open() == 2);
  CHECK(limits.acquire("203.0.113.7", &why));  // released at once again (temporary)
  auto copy = a2;                              // copies share one slot
  a2.reset();
  CHECK(limits.open_from("203.0.113.7") == 1);
  copy.reset();
  CHECK(limits.open_from("203.0.113.7") == 0);
  // "" (behind proxies) counts only in the total; 0 = no per-address cap.
  ConnectionLimits uncapped(10, 0);
  std::vector<std::shared_ptr<const void>> held;
  for (int i = 0; i < 10; ++i) held.push_back(uncapped.acquire("203.0.113.7", &why));
  CHECK(held.back());
  CHECK_FALSE(uncapped.acquire("", &why));
}

// The worker queue's bound (refusing beyond GATEWAY_WORKER_QUEUE) is tested with the class it
// is, libs/asio's BoundedWorkerPool: tests/libs/bounded_worker_pool_test.cpp.

