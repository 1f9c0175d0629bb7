#pragma once
// Which IP addresses count as private, local or otherwise not on the public internet: the
// address policy against server-side request forgery (OWASP "Server Side Request Forgery
// Prevention Cheat Sheet"). One helper for the outbound HTTP client (the resolved peer address)
// and bot-registry (a base URL's literal host at write time).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

struct sockaddr;

namespace botfactory::common {

/// True when the IPv4 address (4 bytes, network order) is not public unicast: 0/8 ("this
/// network", 0.0.0.0), 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16 (link-local, cloud metadata
/// 169.254.169.254), 172.16/12, 192.0.0/24, the documentation nets 192.0.2/24, 198.51.100/24,
/// 203.0.113/24, 192.168/16, 198.18/15 (benchmarking), 224/4 (multicast) and 240/4 (reserved,
/// 255.255.255.255). Source: the IANA IPv4 Special-Purpose Address Registry (RFC 6890).
bool is_private_ipv4(const std::array<std::uint8_t, 4>& address);

/// True when the IPv6 address (16 bytes, network order) is not public unicast: :: and ::1,
/// fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10 (old site-local), ff00::/8
/// (multicast), 100::/64 (discard), 2001:db8::/32 (documentation); IPv4 embedded forms are
/// judged by their IPv4 address: ::ffff:0:0/96 (IPv4-mapped), ::/96 (IPv4-compatible),
/// 64:ff9b::/96 (NAT64), 2002::/16 (6to4). Source: the IANA IPv6 Special-Purpose Address
/// Registry (RFC 6890, RFC 4291 section 2.5).
bool is_private_ipv6(const std::array<std::uint8_t, 16>& address);

/// is_private_ipv4/6 of a socket address (AF_INET or AF_INET6; `length` bytes at `address`).
/// Any other family, or a length too short for the family, counts as private (fail closed).
bool is_private_address(const ::sockaddr* address, std::size_t length);

/// When `host` is an IP literal — IPv4 in any form a resolver accepts ("127.0.0.1", "127.1",
/// "2130706433", "0x7f.1"; inet_aton(3)) or IPv6 with or without brackets ("[::1]", "::1") —
/// whether it is private (above); nullopt when `host` is not an IP literal (a DNS name).
std::optional<bool> literal_ip_is_private(std::string_view host);

/// The IP in text form `text` ("10.0.0.1", "::1", as libcurl reports a connection's peer) is
/// private (above); anything that does not parse as an IP counts as private (fail closed).
bool numeric_ip_is_private(std::string_view text);

}  // namespace botfactory::common
