#pragma once
// Identity logic: registration, login, refresh-token rotation, visitor tokens.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "botfactory/jwt/tokens.hpp"
#include "botfactory/pg/pool.hpp"
#include "hash_slots.hpp"
#include "login_throttle.hpp"
#include "password_hasher.hpp"
#include "token_revocation.hpp"
#include "user_repository.hpp"

namespace botfactory::auth {

/// Everything auth is configured with; main.cpp fills it from the environment.
struct AuthSettings {
  std::string jwt_secret;                          // HS256 key shared with the gateway
  std::string jwt_issuer = "botfactory";           // "iss"
  std::chrono::seconds access_token_ttl{900};      // ACCESS_TOKEN_TTL_S
  std::chrono::seconds refresh_token_ttl{2592000};  // REFRESH_TOKEN_TTL_S (30 days)
  std::chrono::seconds visitor_token_ttl{86400};   // VISITOR_TOKEN_TTL_S
  PasswordHashCost password_cost = PasswordHashCost::owasp();
  std::size_t hash_slots = 13;                     // AUTH_HASH_MEMORY_BUDGET_MB / 19 MiB
  std::chrono::milliseconds hash_wait{1000};       // AUTH_HASH_WAIT_MS
  LoginThrottlePolicy login_throttle;              // LOGIN_THROTTLE_*
};

/// Wall clock in microseconds since the Unix epoch; injected so expiry is testable.
using Clock = std::function<std::int64_t()>;

/// std::chrono::system_clock::now() in microseconds since the Unix epoch.
std::int64_t system_clock_micros();

/// The answer to Login and Refresh.
struct IssuedTokens {
  std::string access_token;   // HS256 JWT, kind user
  std::string refresh_token;  // opaque, 32 random bytes base64url; only its hash is stored
  std::int32_t expires_in = 0;  // access token lifetime, seconds
  UserRecord user;
};

/// Input of IssueVisitorToken.
struct VisitorTokenRequest {
  std::string tenant_id;
  std::string bot_id;
  std::string conversation_id;
  std::string visitor_id;
  std::string visitor_name;
  std::string origin;  // canonical web origin for the token's "origin" claim; empty = none
};

/// The answer to IssueVisitorToken.
struct IssuedVisitorToken {
  std::string token;
  std::int32_t expires_in = 0;  // seconds
};

/// Implements the AuthService RPCs (proto/botfactory/auth/v1/auth.proto) over the `auth` schema.
/// Failures are thrown as rpc::StatusError with the documented codes. Thread-safe.
class Authenticator {
 public:
  /// `revocations` (may be null) records access-token revocations (token_revocation.hpp):
  /// refresh-token reuse here, removals and role changes in TeamService.
  Authenticator(std::shared_ptr<pg::Pool> pool, AuthSettings settings,
                Clock clock = system_clock_micros,
                std::shared_ptr<TokenRevocations> revocations = nullptr);

  /// Creates a user and its tenant (role owner). With `invite_token` (team accounts) the user
  /// instead joins the invite's tenant with the invite's role, in one transaction, and the
  /// invite is used up; `seat_limit` > 0 caps the tenant's members (TeamService::join() lists
  /// the invite and seat errors). INVALID_ARGUMENT for bad input, ALREADY_EXISTS
  /// "email or username already registered", UNAVAILABLE when hashing is at capacity (as login).
  UserRecord register_user(const std::string& email, const std::string& username,
                           const std::string& password, const std::string& invite_token = {},
                           std::int32_t seat_limit = 0);

  /// The pool and clock (shared with TeamService).
  const std::shared_ptr<pg::Pool>& pool() const { return pool_; }
  const Clock& clock() const { return clock_; }
  const std::shared_ptr<TokenRevocations>& revocations() const { return revocations_; }

  /// A token pair for valid credentials; UNAUTHENTICATED "invalid email or password" for both
  /// an unknown email and a wrong password (an unknown email still costs one Argon2id verify,
  /// under the same hashing cap). A stored hash made with other parameters is replaced by one
  /// with the current cost. Failures are counted per normalized e-mail, existing or not
  /// (login_throttle.hpp): while the account is blocked every attempt, even with the right
  /// password, is RESOURCE_EXHAUSTED "too many failed logins, try again later" with
  /// rpc::retry_after_seconds(); a success clears the count. UNAVAILABLE "too many logins in
  /// progress, try again shortly" (retry after 1 s) when no hashing slot frees up within
  /// hash_wait.
  IssuedTokens login(const std::string& email, const std::string& password);

  /// Rotates `refresh_token` in one transaction: the old one is revoked and points at the new
  /// one. UNAUTHENTICATED when it is unknown, expired or revoked; presenting a revoked token
  /// (replay, OAuth 2.0 Security BCP section 4.14.2) also revokes every token of its user,
  /// its access tokens included (TokenRevocations).
  IssuedTokens refresh(const std::string& refresh_token);

  /// Revokes `refresh_token` if it is live; unknown tokens are ignored (idempotent).
  void logout(const std::string& refresh_token);

  /// NOT_FOUND when there is no such user (including a malformed id).
  UserRecord get_user(const std::string& user_id);

  /// The password-hashing concurrency cap (for metrics and tests).
  HashSlots& hash_slots() { return slots_; }

  /// A visitor JWT scoped to one tenant, bot and conversation. INVALID_ARGUMENT when an id is
  /// missing, the tenant or bot id is not a UUID, or the name is not UTF-8 or longer than 64
  /// characters.
  IssuedVisitorToken issue_visitor_token(const VisitorTokenRequest& request);

 private:
  /// Stores a new refresh token for `user` and signs an access token with its claims.
  /// `read_us`: when `user` was read (Unix µs), the access token's iat_ms and the start of both
  /// lifetimes; never later than that read, so a revocation after it refuses the token.
  IssuedTokens issue_pair(pg::Connection& conn, const UserRecord& user, std::int64_t read_us);
  std::chrono::system_clock::time_point time_point(std::int64_t micros) const;
  HashSlots::Permit hash_permit();
  void check_not_throttled(pg::Connection& conn, const std::string& email_hash, std::int64_t now_us);
  void record_failure(const std::string& email_hash, std::int64_t now_us);

  std::shared_ptr<pg::Pool> pool_;
  AuthSettings settings_;
  Clock clock_;
  std::shared_ptr<TokenRevocations> revocations_;
  PasswordHasher hasher_;
  HashSlots slots_;
  jwt::TokenSigner signer_;
};

}  // namespace botfactory::auth
