#pragma once
// Per-bot allowed origins (issue 6): which web pages may open a bot's widget session and, with
// the visitor token that session gets, its WebSocket. The browser sets the Origin header
// (RFC 6454 section 7; WHATWG Fetch: sent on every POST and on WebSocket handshakes, RFC 6455
// section 4.1) and scripts cannot change it, so this stops other sites from embedding a bot's
// widget; it is not authentication against non-browser clients, which can send any Origin.

#include <optional>
#include <string>
#include <string_view>

#include "botfactory/registry/v1/registry.pb.h"

namespace botfactory::jwt {
struct Claims;
}

namespace botfactory::gateway {

/// The request's origin as it goes into the visitor token: std::nullopt when the bot lists
/// allowed origins and `origin_header` (raw Origin header value, may be empty) is missing,
/// malformed, "null" or not one of them (canonical comparison, common::canonical_origin);
/// otherwise the canonical origin for a bot with a list, or "" for a bot without one (any
/// origin, no claim).
std::optional<std::string> widget_session_origin(const registry::v1::Bot& bot,
                                                 std::string_view origin_header);

/// True when a WebSocket upgrade with `claims` may proceed given the request's Origin header:
/// always for user tokens and for visitor tokens without an origin claim; for a visitor token
/// with one, only when the header is that same origin (canonical comparison).
bool upgrade_origin_allowed(const jwt::Claims& claims, std::string_view origin_header);

}  // namespace botfactory::gateway
