#pragma once
// Per-client-address request limits on the unauthenticated REST endpoints (widget sessions, sign-up,
// login, refresh), counted in Redis so that every gateway replica shares them.

#include <memory>
#include <optional>
#include <string>

#include "http/http_message.hpp"
#include "http/router.hpp"

namespace botfactory::redis {
class WindowCounter;
}

namespace botfactory::gateway {

struct GatewaySettings;

/// Limits per client address (client_address.hpp: IPv6 by /64) and minute: RATE_LIMIT_SESSIONS_PER_MIN for
/// `POST /api/v1/widget/{public_id}/sessions`, RATE_LIMIT_AUTH_PER_MIN for register, login and
/// refresh together (0 = no limit). Counters live in Redis under
/// `<REDIS_KEY_PREFIX>rl:<bucket>:<ip>` with a fixed one-minute window. When Redis cannot be
/// reached the request is allowed (fail open: chat must not stop with Redis) and
/// gateway_rate_limit_unavailable_total counts it. Thread-safe; check() blocks on Redis, so it
/// runs on a worker thread.
class ClientRateLimits {
 public:
  explicit ClientRateLimits(const GatewaySettings& settings);
  ~ClientRateLimits();

  /// A 429 `rate_limited` response with Retry-After (RFC 9110 section 10.2.3, seconds) when
  /// the client `client_ip` (its client_key(): an IPv4 address or an IPv6 /64) is over the
  /// limit of `route`'s endpoint; nullopt otherwise.
  std::optional<HttpResponse> check(const RouteMatch& route, const std::string& client_ip) const;

 private:
  const GatewaySettings& settings_;
  std::unique_ptr<redis::WindowCounter> counter_;
};

}  // namespace botfactory::gateway
