#pragma once
// The access token a WebSocket runs on, and the rules of renewing it in-band
// (docs/protocol.md "Token expiry and renewal"). No sockets here: unit-tested without I/O.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "botfactory/jwt/tokens.hpp"

namespace botfactory::gateway {

/// Why a renewal was refused: the `error` frame's code and message.
struct RenewalError {
  std::string code;  // invalid_token (malformed, forged, other issuer, expired) or forbidden
  std::string message;
};

/// The claims of a socket's current token and the moment it expires.
///
/// A socket lives no longer than its token (plus the gateway's housekeeping period, at most
/// 5 s): expired() turns true at the token's `exp` (a socket lives a year at most, whatever the
/// exp). A client renews before that by sending a
/// newer token for the same holder: same kind, subject and tenant, and for a visitor the same
/// bot and conversation. Anything else is refused and the old expiry stays.
class SessionToken {
 public:
  using SteadyClock = std::chrono::steady_clock;
  using SystemClock = std::chrono::system_clock;

  /// `claims` were verified at upgrade at `now_system` (= `now_steady`).
  SessionToken(jwt::Claims claims, SystemClock::time_point now_system,
               SteadyClock::time_point now_steady);

  /// The current claims, shared so that work on other threads keeps the ones it started with.
  const std::shared_ptr<const jwt::Claims>& claims() const { return claims_; }
  /// The token's exp, Unix seconds.
  std::int64_t expires_at() const { return claims_->expires_at; }
  /// True once the token has expired at `now`.
  bool expired(SteadyClock::time_point now) const { return now >= deadline_; }

  /// Replaces the token with `renewed` (already verified: signature, issuer, not expired) when
  /// it speaks for the same holder; else returns why not and keeps the current one.
  std::optional<RenewalError> renew(jwt::Claims renewed, SystemClock::time_point now_system,
                                    SteadyClock::time_point now_steady);

 private:
  void set(jwt::Claims claims, SystemClock::time_point now_system,
           SteadyClock::time_point now_steady);

  std::shared_ptr<const jwt::Claims> claims_;
  SteadyClock::time_point deadline_;
};

}  // namespace botfactory::gateway
