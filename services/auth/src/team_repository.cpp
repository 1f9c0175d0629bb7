#include "team_repository.hpp"

namespace botfactory::auth::team_repository {
namespace {

#define BF_MICROS(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define BF_FROM_MICROS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 microsecond')"
#define BF_USER_COLUMNS "id, tenant_id, email, username, " BF_MICROS("created_at") ", role"
#define BF_INVITE_COLUMNS                                                                      \
  "id, tenant_id, role, created_by, " BF_MICROS("created_at") ", " BF_MICROS("expires_at") \
  ", COALESCE(" BF_MICROS("used_at") ", 0), COALESCE(" BF_MICROS("revoked_at") ", 0)"

constexpr const char* kLockTenant = "SELECT pg_advisory_xact_lock(hashtext('auth.team.' || $1))";

constexpr const char* kInsertMember =
    "INSERT INTO auth.users (tenant_id, email, username, password_hash, role) "
    "VALUES ($1::uuid, $2, $3, $4, $5) RETURNING " BF_USER_COLUMNS;

constexpr const char* kCountMembers =
    "SELECT count(*) FROM auth.users WHERE tenant_id = $1::uuid AND removed_at IS NULL";

constexpr const char* kListMembers =
    "SELECT " BF_USER_COLUMNS " FROM auth.users WHERE tenant_id = $1::uuid AND removed_at IS NULL "
    "ORDER BY role = 'owner' DESC, created_at, id";

constexpr const char* kFindMember =
    "SELECT " BF_USER_COLUMNS " FROM auth.users "
    "WHERE tenant_id = $1::uuid AND id = $2::uuid AND removed_at IS NULL";

constexpr const char* kMarkRemoved =
    "UPDATE auth.users SET removed_at = " BF_FROM_MICROS("$2") " WHERE id = $1::uuid";

constexpr const char* kSetRole = "UPDATE auth.users SET role = $2 WHERE id = $1::uuid";

constexpr const char* kInsertInvite =
    "INSERT INTO auth.team_invites (tenant_id, token_hash, role, created_by, expires_at) "
    "VALUES ($1::uuid, $2, $3, $4::uuid, " BF_FROM_MICROS("$5") ") RETURNING " BF_INVITE_COLUMNS;

constexpr const char* kLiveInvite =
    "tenant_id = $1::uuid AND used_at IS NULL AND revoked_at IS NULL AND expires_at > "
    BF_FROM_MICROS("$2");

constexpr const char* kFindInvite =
    "SELECT " BF_INVITE_COLUMNS " FROM auth.team_invites WHERE token_hash = $1";

constexpr const char* kMarkInviteUsed =
    "UPDATE auth.team_invites SET used_at = " BF_FROM_MICROS("$3") ", used_by = $2::uuid "
    "WHERE id = $1::uuid";

constexpr const char* kRevokeInvite =
    "UPDATE auth.team_invites SET revoked_at = " BF_FROM_MICROS("$3") " "
    "WHERE tenant_id = $1::uuid AND id = $2::uuid AND used_at IS NULL AND revoked_at IS NULL";

constexpr const char* kRevokeInvitesBy =
    "UPDATE auth.team_invites SET revoked_at = " BF_FROM_MICROS("$2") " "
    "WHERE created_by = $1::uuid AND used_at IS NULL AND revoked_at IS NULL";


InviteRecord invite_from_row(const pg::Result& r, int row) {
  return InviteRecord{r.str(row, 0),   r.str(row, 1),   r.str(row, 2),   r.str(row, 3),
                      r.int64(row, 4), r.int64(row, 5), r.int64(row, 6), r.int64(row, 7)};
}

std::string select_invites(const char* where_tail) {
  return std::string("SELECT ") + BF_INVITE_COLUMNS + " FROM auth.team_invites WHERE " +
         kLiveInvite + where_tail;
}

#undef BF_INVITE_COLUMNS
#undef BF_MICROS
#undef BF_FROM_MICROS
#undef BF_USER_COLUMNS

}  // namespace

void lock_tenant(pg::Connection& conn, const std::string& tenant_id) {
  conn.exec(kLockTenant, {tenant_id});
}

UserRecord insert_member(pg::Connection& conn, const std::string& tenant_id,
                         const std::string& email, const std::string& username,
                         const std::string& password_hash, const std::string& role) {
  auto r = conn.exec(kInsertMember, {tenant_id, email, username, password_hash, role});
  return user_repository::user_from_result(r, 0);
}

std::int64_t count_members(pg::Connection& conn, const std::string& tenant_id) {
  return conn.exec(kCountMembers, {tenant_id}).int64(0, 0);
}

std::vector<UserRecord> list_members(pg::Connection& conn, const std::string& tenant_id) {
  auto r = conn.exec(kListMembers, {tenant_id});
  std::vector<UserRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(user_repository::user_from_result(r, i));
  return out;
}

std::optional<UserRecord> find_member(pg::Connection& conn, const std::string& tenant_id,
                                      const std::string& user_id) {
  auto r = conn.exec(kFindMember, {tenant_id, user_id});
  if (r.rows() == 0) return std::nullopt;
  return user_repository::user_from_result(r, 0);
}

void mark_removed(pg::Connection& conn, const std::string& user_id, std::int64_t now_us) {
  conn.exec(kMarkRemoved, {user_id, std::to_string(now_us)});
}

void set_role(pg::Connection& conn, const std::string& user_id, const std::string& role) {
  conn.exec(kSetRole, {user_id, role});
}

InviteRecord insert_invite(pg::Connection& conn, const std::string& tenant_id,
                           const std::string& token_hash, const std::string& role,
                           const std::string& created_by, std::int64_t expires_at_us) {
  auto r = conn.exec(kInsertInvite,
                     {tenant_id, token_hash, role, created_by, std::to_string(expires_at_us)});
  return invite_from_row(r, 0);
}

std::vector<InviteRecord> list_live_invites(pg::Connection& conn, const std::string& tenant_id,
                                            std::int64_t now_us, int limit) {
  auto r = conn.exec(select_invites(" ORDER BY created_at DESC, id LIMIT $3"),
                     {tenant_id, std::to_string(now_us), std::to_string(limit)});
  std::vector<InviteRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(invite_from_row(r, i));
  return out;
}

std::int64_t count_live_invites(pg::Connection& conn, const std::string& tenant_id,
                                std::int64_t now_us) {
  return conn
      .exec(std::string("SELECT count(*) FROM auth.team_invites WHERE ") + kLiveInvite,
            {tenant_id, std::to_string(now_us)})
      .int64(0, 0);
}

std::optional<InviteRecord> find_invite(pg::Connection& conn, const std::string& token_hash,
                                        bool for_update) {
  auto r = conn.exec(std::string(kFindInvite) + (for_update ? " FOR UPDATE" : ""), {token_hash});
  if (r.rows() == 0) return std::nullopt;
  return invite_from_row(r, 0);
}

void mark_invite_used(pg::Connection& conn, const std::string& invite_id,
                      const std::string& user_id, std::int64_t now_us) {
  conn.exec(kMarkInviteUsed, {invite_id, user_id, std::to_string(now_us)});
}

void revoke_invites_by(pg::Connection& conn, const std::string& user_id, std::int64_t now_us) {
  conn.exec(kRevokeInvitesBy, {user_id, std::to_string(now_us)});
}

bool revoke_invite(pg::Connection& conn, const std::string& tenant_id,
                   const std::string& invite_id, std::int64_t now_us) {
  return conn.exec(kRevokeInvite, {tenant_id, invite_id, std::to_string(now_us)}).affected() > 0;
}

}  // namespace botfactory::auth::team_repository
