#pragma once
// Web origins (RFC 6454): the "scheme://host[:port]" a browser puts in the Origin header, shared
// by bot-registry (a bot's allowed origins) and the gateway (the request's Origin header).

#include <optional>
#include <string>
#include <string_view>

namespace botfactory::common {

/// The canonical form of an http or https origin (RFC 6454 section 6.2 serialization): scheme
/// and host lower-cased, the scheme's default port (80, 443) dropped, e.g.
/// "HTTPS://Shop.Example:443" → "https://shop.example". Host: a DNS name or IPv4 address
/// (letters, digits, '-', '.'; ASCII only, so internationalised names in their punycode form)
/// or a bracketed IPv6 literal; port 1..65535. nullopt for anything else: another scheme, a
/// path (even "/"), query, fragment, user info, the opaque origin "null", or more than 255
/// bytes.
std::optional<std::string> canonical_origin(std::string_view origin);

}  // namespace botfactory::common
