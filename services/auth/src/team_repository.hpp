#pragma once
// SQL access to team accounts in schema `auth`: members of a tenant (auth.users rows with a role)
// and single-use invites (auth.team_invites, V003). Stateless; every function runs on the
// caller's connection (and so inside the caller's transaction, if any).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/pg/connection.hpp"
#include "user_repository.hpp"

namespace botfactory::auth {

/// One stored invite (the token itself is never stored, only its SHA-256 hex). Times are
/// microseconds since the Unix epoch; 0 = not set.
struct InviteRecord {
  std::string id;
  std::string tenant_id;
  std::string role;        // admin | operator
  std::string created_by;  // user id
  std::int64_t created_at_us = 0;
  std::int64_t expires_at_us = 0;
  std::int64_t used_at_us = 0;
  std::int64_t revoked_at_us = 0;
};

namespace team_repository {

/// Serializes seat-changing work on one tenant until the transaction ends (advisory lock).
void lock_tenant(pg::Connection& conn, const std::string& tenant_id);

/// Inserts a member of an existing tenant. Throws pg::Error; is_unique_violation() when the
/// email or the username is taken.
UserRecord insert_member(pg::Connection& conn, const std::string& tenant_id,
                         const std::string& email, const std::string& username,
                         const std::string& password_hash, const std::string& role);

/// Members of the tenant that were not removed (the seats in use).
std::int64_t count_members(pg::Connection& conn, const std::string& tenant_id);

/// Members of the tenant that were not removed, owner first, then by join time.
std::vector<UserRecord> list_members(pg::Connection& conn, const std::string& tenant_id);

/// The member `user_id` of `tenant_id` (not removed). Both must be UUIDs.
std::optional<UserRecord> find_member(pg::Connection& conn, const std::string& tenant_id,
                                      const std::string& user_id);

/// Ends a membership at `now_us` (the row stays for history).
void mark_removed(pg::Connection& conn, const std::string& user_id, std::int64_t now_us);

/// Sets a member's role (admin | operator; the CHECK constraint refuses others).
void set_role(pg::Connection& conn, const std::string& user_id, const std::string& role);

/// Stores a new invite; returns it with its id and creation time.
InviteRecord insert_invite(pg::Connection& conn, const std::string& tenant_id,
                           const std::string& token_hash, const std::string& role,
                           const std::string& created_by, std::int64_t expires_at_us);

/// Invites of the tenant neither used, revoked nor expired at `now_us`, newest first, at most
/// `limit`.
std::vector<InviteRecord> list_live_invites(pg::Connection& conn, const std::string& tenant_id,
                                            std::int64_t now_us, int limit);

/// How many invites of the tenant are live at `now_us`.
std::int64_t count_live_invites(pg::Connection& conn, const std::string& tenant_id,
                                std::int64_t now_us);

/// The invite with this token hash; `for_update` locks it until the transaction ends.
std::optional<InviteRecord> find_invite(pg::Connection& conn, const std::string& token_hash,
                                        bool for_update);

/// Marks an invite used by `user_id` at `now_us`.
void mark_invite_used(pg::Connection& conn, const std::string& invite_id,
                      const std::string& user_id, std::int64_t now_us);

/// Revokes every live invite `user_id` created (a removed member's invites die with it).
void revoke_invites_by(pg::Connection& conn, const std::string& user_id, std::int64_t now_us);

/// Revokes the tenant's invite `invite_id` (a UUID) if it is neither used nor revoked. Returns
/// whether a row changed.
bool revoke_invite(pg::Connection& conn, const std::string& tenant_id,
                   const std::string& invite_id, std::int64_t now_us);

}  // namespace team_repository
}  // namespace botfactory::auth
