#include "botfactory/common/net_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

namespace botfactory::common {
namespace {

bool in_v4(const std::array<std::uint8_t, 4>& a, std::uint32_t net, int bits) {
  std::uint32_t value = (std::uint32_t{a[0]} << 24) | (std::uint32_t{a[1]} << 16) | (std::uint32_t{a[2]} << 8) | a[3];
  std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return (value & mask) == (net & mask);
}

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) { return (a << 24) | (b << 16) | (c << 8) | d; }

/// The first `bits` bits of `a` equal those of `prefix`.
bool in_v6(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& prefix, int bits) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a[static_cast<std::size_t>(i)] & mask) != (prefix[static_cast<std::size_t>(i)] & mask)) return false;
  }
  return true;
}

std::array<std::uint8_t, 4> v4_at(const std::array<std::uint8_t, 16>& a, std::size_t at) {
  return {a[at], a[at + 1], a[at + 2], a[at + 3]};
}

}  // namespace

bool is_private_ipv4(const std::array<std::uint8_t, 4>& a) {
  struct Net {
    std::uint32_t net;
    int bits;
  };
  static constexpr Net kPrivate[] = {
      {v4(0, 0, 0, 0), 8},      {v4(10, 0, 0, 0), 8},      {v4(100, 64, 0, 0), 10},  {v4(127, 0, 0, 0), 8},
      {v4(169, 254, 0, 0), 16}, {v4(172, 16, 0, 0), 12},   {v4(192, 0, 0, 0), 24},   {v4(192, 0, 2, 0), 24},
      {v4(192, 168, 0, 0), 16}, {v4(198, 18, 0, 0), 15},   {v4(198, 51, 100, 0), 24}, {v4(203, 0, 113, 0), 24},
      {v4(224, 0, 0, 0), 4},    {v4(240, 0, 0, 0), 4},
  };
  for (const auto& n : kPrivate) {
    if (in_v4(a, n.net, n.bits)) return true;
  }
  return false;
}

bool is_private_ipv6(const std::array<std::uint8_t, 16>& a) {
  using P = std::array<std::uint8_t, 16>;
  static constexpr P kZero{};
  static constexpr P kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
  static constexpr P kNat64{0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  static constexpr P k6to4{0x20, 0x02};
  if (in_v6(a, kMapped, 96) || in_v6(a, kNat64, 96)) return is_private_ipv4(v4_at(a, 12));
  if (in_v6(a, kZero, 96)) {
    // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d (RFC 4291 section 2.5.5.1).
    return true;
  }
  if (in_v6(a, k6to4, 16)) return is_private_ipv4(v4_at(a, 2));
  static constexpr struct {
    P prefix;
    int bits;
  } kPrivate[] = {
      {{0xfc}, 7},                       // unique local
      {{0xfe, 0x80}, 10},                // link-local
      {{0xfe, 0xc0}, 10},                // site-local (deprecated)
      {{0xff}, 8},                       // multicast
      {{0x01, 0x00}, 64},                // discard-only
      {{0x20, 0x01, 0x0d, 0xb8}, 32},    // documentation
  };
  for (const auto& n : kPrivate) {
    if (in_v6(a, n.prefix, n.bits)) return true;
  }
  return false;
}

bool is_private_address(const ::sockaddr* address, std::size_t length) {
  if (!address) return true;
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    std::array<std::uint8_t, 4> bytes{};
    std::memcpy(bytes.data(), &in.sin_addr, 4);
    return is_private_ipv4(bytes);
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, 16);
    return is_private_ipv6(bytes);
  }
  return true;
}

std::optional<bool> literal_ip_is_private(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host.size() > 64) return std::nullopt;
  std::string text(host);
  if (text.find(':') != std::string::npos) {
    if (auto percent = text.find('%'); percent != std::string::npos) text.resize(percent);  // zone id
    std::array<std::uint8_t, 16> bytes{};
    if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return std::nullopt;
    return is_private_ipv6(bytes);
  }
  in_addr in{};
  if (inet_aton(text.c_str(), &in) == 0) return std::nullopt;
  std::array<std::uint8_t, 4> bytes{};
  std::memcpy(bytes.data(), &in, 4);
  return is_private_ipv4(bytes);
}

bool numeric_ip_is_private(std::string_view text) {
  std::string ip(text);
  if (auto percent = ip.find('%'); percent != std::string::npos) ip.resize(percent);
  std::array<std::uint8_t, 16> six{};
  if (inet_pton(AF_INET6, ip.c_str(), six.data()) == 1) return is_private_ipv6(six);
  std::array<std::uint8_t, 4> four{};
  if (inet_pton(AF_INET, ip.c_str(), four.data()) == 1) return is_private_ipv4(four);
  return true;
}

}  // namespace botfactory::common
