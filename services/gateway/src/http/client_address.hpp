#pragma once
// The client's address as per-address limits see it: the socket's peer or, behind trusted
// proxies, the X-Forwarded-For entry the outermost trusted proxy appended; IPv6 grouped by /64.

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

namespace botfactory::gateway {

/// Parses one address as a peer or a proxy writes it: "203.0.113.7", "2001:db8::1",
/// "[2001:db8::1]", "[2001:db8::1]:443" or "203.0.113.7:5678" (surrounding blanks ignored).
/// Parsing is Boost.Asio's ip::make_address (inet_pton rules). nullopt when it is not one.
std::optional<boost::asio::ip::address> parse_address(std::string_view text);

/// The key that per-address limits count under: IPv4 in dotted form; an IPv4-mapped IPv6
/// address (::ffff:a.b.c.d, RFC 4291 section 2.5.5.2) as its IPv4 address; any other IPv6
/// address as its /64 network, e.g. "2001:db8:1:2::/64" (one subscriber usually holds a whole
/// /64, RFC 6177, so keying by full address would let one client walk around every limit).
std::string address_key(const boost::asio::ip::address& address);

/// The key of the client of a request that arrived from `peer` with the X-Forwarded-For value
/// `forwarded_for` (all header lines joined with ","), when `trusted_hops` proxies in front of
/// the gateway each append the address they received the request from (RFC 7239 section 5.2
/// describes the same for Forwarded). Entries are counted from the right: with N trusted hops
/// the client is the N-th entry from the right, since everything left of it was written by
/// whoever sent the request and may be forged. 0 hops: the peer. A list shorter than N gives
/// its leftmost entry; an entry that is not an address gives the peer.
std::string client_key(const boost::asio::ip::address& peer, std::string_view forwarded_for,
                       int trusted_hops);

}  // namespace botfactory::gateway
