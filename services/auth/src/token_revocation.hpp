#pragma once
// Tells the gateways that a user's access tokens issued before a moment are void, so that a
// removed or demoted member's tokens stop at once instead of at their exp (docs/security.md
// "Revoked access tokens").

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "botfactory/redis/blocking_client.hpp"

namespace botfactory::auth {

/// Where revocations go. Implementations are thread-safe.
class TokenRevocations {
 public:
  virtual ~TokenRevocations() = default;
  /// Records that `user_id`'s access tokens signed before `valid_from_ms` (Unix ms, compared
  /// with the token's iat_ms) are void. Called after the PostgreSQL commit that changed the
  /// user's standing. Never throws; false when the record could not be written (logged and
  /// counted: the tokens then live until their exp, as before).
  virtual bool revoke(const std::string& user_id, std::int64_t valid_from_ms) = 0;
};

/// Redis: SET `<prefix>user_revoked:<user_id>` = valid_from_ms with a TTL of the access token
/// lifetime + 60 s (no token older than the record outlives it), and PUBLISH "<user_id> <ms>"
/// on `<prefix>user_revoked` (gateways refresh their cache and close that user's sockets at
/// once), in one pipelined round trip (https://redis.io/docs/manual/pipelining/).
class RedisTokenRevocations final : public TokenRevocations {
 public:
  /// `key_prefix` = REDIS_KEY_PREFIX (shared with the gateway); `access_token_ttl` =
  /// ACCESS_TOKEN_TTL_S. The client's timeout bounds the write (the RPC waits for it).
  RedisTokenRevocations(std::unique_ptr<redis::BlockingClient> client, std::string key_prefix,
                        std::chrono::seconds access_token_ttl);

  bool revoke(const std::string& user_id, std::int64_t valid_from_ms) override;

  /// The record's TTL: the access token lifetime plus this margin (clock skew, slow checks).
  static constexpr std::chrono::seconds kTtlMargin{60};

 private:
  std::unique_ptr<redis::BlockingClient> client_;
  std::string key_prefix_;
  std::chrono::milliseconds ttl_;
};

}  // namespace botfactory::auth
