#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "botfactory/common/net_address.hpp"

using botfactory::common::is_private_address;
using botfactory::common::literal_ip_is_private;
using botfactory::common::numeric_ip_is_private;

TEST_CASE("IPv4 private, local and special ranges are private; public addresses are not", "[net_address]") {
  for (const char* ip : {"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254",
                         "127.0.0.1", "127.255.0.9", "169.254.169.254", "172.16.0.1", "172.31.255.255",
                         "192.168.1.1", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.19.255.255", "198.51.100.7",
                         "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255"}) {
    INFO(ip);
    CHECK(numeric_ip_is_private(ip));
    CHECK(literal_ip_is_private(ip) == true);
  }
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
                         "169.253.0.1", "192.167.1.1", "198.20.0.1", "93.184.216.34", "223.255.255.255"}) {
    INFO(ip);
    CHECK_FALSE(numeric_ip_is_private(ip));
    CHECK(literal_ip_is_private(ip) == false);
  }
}

TEST_CASE("IPv6 loopback, unique local, link-local and embedded private IPv4 are private", "[net_address]") {
  for (const char* ip : {"::", "::1", "[::1]", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1",
                         "ff02::1", "100::1", "2001:db8::1", "::ffff:127.0.0.1", "::ffff:7f00:1",
                         "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::127.0.0.1", "::8.8.8.8",
                         "64:ff9b::10.0.0.1", "2002:c0a8:0101::1", "[fe80::1%25eth0]", "fe80::1%eth0"}) {
    INFO(ip);
    CHECK(literal_ip_is_private(ip) == true);
  }
  for (const char* ip : {"2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8",
                         "2002:0808:0808::1", "fbff::1"}) {
    INFO(ip);
    CHECK(literal_ip_is_private(ip) == false);
    CHECK_FALSE(numeric_ip_is_private(ip));
  }
}

TEST_CASE("IPv4 literals in the forms resolvers accept are recognised", "[net_address]") {
  CHECK(literal_ip_is_private("127.1") == true);
  CHECK(literal_ip_is_private("2130706433") == true);     // 127.0.0.1 as one number
  CHECK(literal_ip_is_private("0x7f.0.0.1") == true);
  CHECK(literal_ip_is_private("0177.0.0.1") == true);     // octal
  CHECK(literal_ip_is_private("0") == true);              // 0.0.0.0
  CHECK(literal_ip_is_private("134744072") == false);     // 8.8.8.8
}

TEST_CASE("DNS names are not literals; unparsable text counts as private", "[net_address]") {
  CHECK_FALSE(literal_ip_is_private("localhost").has_value());
  CHECK_FALSE(literal_ip_is_private("api.openai.com").has_value());
  CHECK_FALSE(literal_ip_is_private("10.0.0.1.nip.io").has_value());
  CHECK_FALSE(literal_ip_is_private("").has_value());
  CHECK_FALSE(literal_ip_is_private("[not-an-ip]").has_value());
  CHECK(numeric_ip_is_private(""));
  CHECK(numeric_ip_is_private("localhost"));
}

TEST_CASE("socket addresses are judged by family; unknown families fail closed", "[net_address]") {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, "169.254.169.254", &in.sin_addr);
  CHECK(is_private_address(reinterpret_cast<sockaddr*>(&in), sizeof in));
  inet_pton(AF_INET, "8.8.4.4", &in.sin_addr);
  CHECK_FALSE(is_private_address(reinterpret_cast<sockaddr*>(&in), sizeof in));
  CHECK(is_private_address(reinterpret_cast<sockaddr*>(&in), 4));  // too short

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:192.168.0.1", &in6.sin6_addr);
  CHECK(is_private_address(reinterpret_cast<sockaddr*>(&in6), sizeof in6));
  inet_pton(AF_INET6, "2a00:1450:4001::200e", &in6.sin6_addr);
  CHECK_FALSE(is_private_address(reinterpret_cast<sockaddr*>(&in6), sizeof in6));

  sockaddr unix_like{};
  unix_like.sa_family = AF_UNIX;
  CHECK(is_private_address(&unix_like, sizeof unix_like));
  CHECK(is_private_address(nullptr, 0));
}
