#pragma once
// Per-user access-token revocation at the gateway (docs/security.md "Revoked access tokens").
// auth records "tokens of user U signed before T (Unix ms) are void" in Redis after removing a
// member, changing its role or seeing a refresh token replayed (services/auth/src/
// token_revocation.hpp); this refuses such tokens: REST 401 `token_revoked`, WebSocket upgrade
// 401 `token_revoked`, open sockets closed with 4001 (docs/protocol.md).
//
// Hot path: a bounded in-process cache per user (TOKEN_REVOCATION_CACHE_MAX entries, an answer
// is fresh for TOKEN_REVOCATION_CACHE_TTL_MS); a miss costs one Redis GET on the worker thread.
// A pub/sub channel updates the cache at once and wakes the sockets. Redis unreachable: fail
// open (the token's claims decide, as before revocation existed) with what the cache still
// knows, counted in gateway_token_revocation_checks_total{result="unavailable"}.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "botfactory/jwt/tokens.hpp"
#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/redis/subscriber.hpp"

namespace boost::asio {
class io_context;
}

namespace botfactory::gateway {

/// Settings of TokenRevocations (README configuration table).
struct TokenRevocationSettings {
  std::size_t max_entries = 10000;            // TOKEN_REVOCATION_CACHE_MAX (users cached)
  std::chrono::milliseconds cache_ttl{1000};  // TOKEN_REVOCATION_CACHE_TTL_MS (answer freshness)
  std::chrono::milliseconds redis_timeout{250};  // bound on one GET (connect included)
  std::string key_prefix = "bf:";             // REDIS_KEY_PREFIX, shared with auth
};

/// What the cache knows about one user at a moment.
struct RevocationLookup {
  bool found = false;               // an entry exists (fresh or stale)
  bool fresh = false;               // fetched or announced less than the TTL ago
  std::int64_t valid_from_ms = 0;   // tokens signed before are void; 0 = no revocation known
};

/// Bounded map user id → revocation time, with the time each answer was learnt. Revocation
/// times only grow (a stale entry can miss a newer revocation, never void a valid token).
/// When full, stale entries without a revocation go first, then every stale one, then any.
/// Thread-safe.
class RevocationCache {
 public:
  using Clock = std::chrono::steady_clock;
  RevocationCache(std::size_t max_entries, std::chrono::milliseconds ttl);

  RevocationLookup find(const std::string& user_id, Clock::time_point now) const;
  /// Records `valid_from_ms` (0 = none) for `user_id` as learnt at `now` (kept: the larger).
  void store(const std::string& user_id, std::int64_t valid_from_ms, Clock::time_point now);
  /// Makes every entry stale (after the pub/sub connection was lost: announcements missed).
  void expire_all();
  std::size_t size() const;

 private:
  void make_room(Clock::time_point now);

  struct Entry {
    std::int64_t valid_from_ms = 0;
    Clock::time_point learnt;
  };
  std::size_t max_entries_;
  std::chrono::milliseconds ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

/// True when `claims` is a user token signed before `valid_from_ms` (its iat_ms, or iat × 1000).
bool voided_by(const jwt::Claims& claims, std::int64_t valid_from_ms);

class TokenRevocations;

/// The message of a refused revoked token (REST, upgrade and WebSocket error).
inline constexpr const char* kTokenRevokedMessage =
    "this token was revoked (the account's team membership or role changed, or its refresh "
    "token was reused); refresh or log in again";

/// REST (worker threads): throws ApiError 401 `token_revoked` when `revocations` (null = no
/// checks) says `claims` is revoked (TokenRevocations::revoked(), blocking).
void require_not_revoked(TokenRevocations* revocations, const jwt::Claims& claims);

/// The gateway's revocation checks. Thread-safe; the subscriber runs on `io`.
class TokenRevocations {
 public:
  /// `client` answers GETs (its timeout should be settings.redis_timeout); `subscriber` options
  /// name the Redis server of the announcements channel.
  TokenRevocations(boost::asio::io_context& io, TokenRevocationSettings settings,
                   std::unique_ptr<redis::BlockingClient> client,
                   redis::SubscriberOptions subscriber);
  ~TokenRevocations();

  /// Called on the I/O thread after an announcement updated the cache (the gateway ticks its
  /// sockets so that the user's are closed at once). Set before start().
  void on_revoked(std::function<void()> handler);
  void start();
  void stop();

  /// Blocking (worker threads): true when `claims` is a user token signed before its user's
  /// revocation time. A fresh cache entry answers; else one Redis GET. Redis unreachable (or
  /// failed less than cache_ttl ago): what the cache knows, else false (fail open). Visitor
  /// tokens: false (they are not revoked per user).
  bool revoked(const jwt::Claims& claims);
  /// Non-blocking: the answer when the cache has a fresh one, else nothing (ask revoked() on a
  /// worker).
  std::optional<bool> revoked_if_fresh(const jwt::Claims& claims) const;
  /// Non-blocking: true when any cached entry, fresh or stale, voids `claims` (open sockets).
  bool known_revoked(const jwt::Claims& claims) const;

  /// The cache (tests).
  RevocationCache& cache() { return cache_; }

 private:
  void handle_message(std::string_view payload);

  TokenRevocationSettings settings_;
  RevocationCache cache_;
  std::unique_ptr<redis::BlockingClient> client_;
  std::string channel_;
  std::unique_ptr<redis::Subscriber> subscriber_;
  std::function<void()> on_revoked_;
  std::mutex pause_mutex_;
  RevocationCache::Clock::time_point redis_paused_until_{};  // after a failed GET
};

}  // namespace botfactory::gateway
