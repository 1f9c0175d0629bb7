#pragma once
// Team accounts (Chatwoot-style agents): the members of a tenant, their roles and single-use
// invites. Roles: owner (created the tenant; one per tenant) > admin > operator. The caller's
// role is read from the database on every call (a token's role claim may be stale; removals and
// role changes revoke the member's access tokens through TokenRevocations).
//
// Errors are rpc::StatusError; messages that the gateway maps to their own HTTP codes start with
// a code word (rest/team_rest.cpp): "team_role: " (PERMISSION_DENIED → 403 forbidden),
// "invite_invalid: " (NOT_FOUND → 404), "invite_expired: " / "invite_used: " /
// "invite_revoked: " / "seat_limit: " / "too_many_invites: " (FAILED_PRECONDITION → 409 with
// that code).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "botfactory/pg/pool.hpp"
#include "team_repository.hpp"
#include "token_revocation.hpp"

namespace botfactory::auth {

/// Invite lifetime when the caller gives none (7 days) and the accepted range.
inline constexpr std::chrono::seconds kDefaultInviteTtl{7 * 24 * 3600};
inline constexpr std::chrono::seconds kMinInviteTtl{60};
inline constexpr std::chrono::seconds kMaxInviteTtl{30 * 24 * 3600};
/// Live (unused, unrevoked, unexpired) invites one tenant may hold at once.
inline constexpr std::int64_t kMaxLiveInvites = 100;
/// Longest invite token accepted on Register (ours are 43 chars).
inline constexpr std::size_t kMaxInviteTokenLength = 128;

/// A new invite with its token (shown once; only the SHA-256 hex is stored).
struct CreatedInvite {
  InviteRecord invite;
  std::string token;  // 32 random bytes, base64url without padding
};

/// The team of a tenant: members (owner first) and live invites (no tokens).
struct TeamView {
  std::vector<UserRecord> members;
  std::vector<InviteRecord> invites;
};

/// Rank of a role: owner 3, admin 2, operator 1, anything else 0.
int role_rank(const std::string& role);

/// Team operations on schema `auth`. Thread-safe (state lives in PostgreSQL).
class TeamService {
 public:
  using Clock = std::function<std::int64_t()>;  // µs since the Unix epoch

  /// `revocations` (may be null: none recorded) learns of every removal and role change after
  /// its commit, so the member's older access tokens stop at the gateway at once.
  TeamService(std::shared_ptr<pg::Pool> pool, Clock clock,
              std::shared_ptr<TokenRevocations> revocations = nullptr);

  /// An invite to `tenant_id` with `role` ("admin" | "operator") valid for `ttl_s` seconds
  /// (0 = 7 days; else 60 s..30 days). The actor must be the tenant's owner or an admin
  /// (PERMISSION_DENIED "team_role: ..."); INVALID_ARGUMENT for a bad role or ttl;
  /// FAILED_PRECONDITION "too_many_invites: ..." beyond kMaxLiveInvites live invites.
  CreatedInvite create_invite(const std::string& tenant_id, const std::string& actor_id,
                              const std::string& role, std::int64_t ttl_s);

  /// Members and live invites of `tenant_id`; the actor must be a member (any role).
  TeamView list(const std::string& tenant_id, const std::string& actor_id);

  /// Ends `user_id`'s membership and revokes its refresh tokens, the invites it created and
  /// (through TokenRevocations) its access tokens signed until now.
  /// The owner removes admins and operators; an admin removes operators; nobody removes the
  /// owner (PERMISSION_DENIED "team_role: ..."). NOT_FOUND when `user_id` is not a member.
  void remove_member(const std::string& tenant_id, const std::string& actor_id,
                     const std::string& user_id);

  /// Owner only: sets an admin's or operator's role to "admin" | "operator"; returns the member.
  /// Its access tokens signed until now are revoked (their role claim is stale): it refreshes
  /// or logs in again for a token with the new role.
  UserRecord set_role(const std::string& tenant_id, const std::string& actor_id,
                      const std::string& user_id, const std::string& role);

  /// Owner or admin: revokes a live invite of the tenant. NOT_FOUND when there is none.
  void revoke_invite(const std::string& tenant_id, const std::string& actor_id,
                     const std::string& invite_id);

  /// The usable invite `token` names (no lock): "invite_invalid: " (NOT_FOUND) for an unknown
  /// or malformed token, "invite_used: ", "invite_revoked: ", "invite_expired: "
  /// (FAILED_PRECONDITION) otherwise.
  InviteRecord resolve_invite(const std::string& token);

  /// Inside the caller's transaction: joins a new user to the invite's tenant with the invite's
  /// role and marks the invite used. Checks as resolve_invite() (the invite row locked), then
  /// the seats: with `seat_limit` > 0 and that many members already, FAILED_PRECONDITION
  /// "seat_limit: ...". Throws pg::Error (is_unique_violation()) for a taken email/username.
  static UserRecord join(pg::Connection& conn, const std::string& token, std::int32_t seat_limit,
                         std::int64_t now_us, const std::string& email,
                         const std::string& username, const std::string& password_hash);

 private:
  UserRecord require_actor(pg::Connection& conn, const std::string& tenant_id,
                           const std::string& actor_id, int min_rank);

  void revoke_tokens(const std::string& user_id);

  std::shared_ptr<pg::Pool> pool_;
  Clock clock_;
  std::shared_ptr<TokenRevocations> revocations_;
};

}  // namespace botfactory::auth
