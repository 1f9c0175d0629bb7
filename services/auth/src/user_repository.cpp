#include "user_repository.hpp"

namespace botfactory::auth::user_repository {
namespace {

// Microsecond timestamps cross the wire as integers, converted exactly on both sides.
#define BF_MICROS(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define BF_FROM_MICROS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 microsecond')"

constexpr const char* kInsertUser =
    "INSERT INTO auth.users (email, username, password_hash) VALUES ($1, $2, $3) "
    "RETURNING id, tenant_id, email, username, " BF_MICROS("created_at") ", role";

constexpr const char* kSelectUserByEmail =
    "SELECT id, tenant_id, email, username, " BF_MICROS("created_at") ", role, password_hash "
    "FROM auth.users WHERE email = $1 AND removed_at IS NULL";

constexpr const char* kSelectUserById =
    "SELECT id, tenant_id, email, username, " BF_MICROS("created_at") ", role "
    "FROM auth.users WHERE id = $1::uuid AND removed_at IS NULL";

constexpr const char* kUpdatePasswordHash =
    "UPDATE auth.users SET password_hash = $2 WHERE id = $1::uuid";

constexpr const char* kInsertRefreshToken =
    "INSERT INTO auth.refresh_tokens (token_hash, user_id, expires_at) "
    "VALUES ($1, $2::uuid, " BF_FROM_MICROS("$3") ")";

constexpr const char* kLockRefreshToken =
    "SELECT user_id, " BF_MICROS("expires_at") ", revoked_at IS NOT NULL "
    "FROM auth.refresh_tokens WHERE token_hash = $1 FOR UPDATE";

constexpr const char* kMarkRotated =
    "UPDATE auth.refresh_tokens SET revoked_at = " BF_FROM_MICROS("$3") ", replaced_by = $2 "
    "WHERE token_hash = $1";

constexpr const char* kRevoke =
    "UPDATE auth.refresh_tokens SET revoked_at = " BF_FROM_MICROS("$2") " "
    "WHERE token_hash = $1 AND revoked_at IS NULL";

constexpr const char* kRevokeAllForUser =
    "UPDATE auth.refresh_tokens SET revoked_at = " BF_FROM_MICROS("$2") " "
    "WHERE user_id = $1::uuid AND revoked_at IS NULL";

#undef BF_MICROS
#undef BF_FROM_MICROS

UserRecord user_from_row(const pg::Result& r, int row) {
  return UserRecord{r.str(row, 0), r.str(row, 1), r.str(row, 2), r.str(row, 3), r.int64(row, 4),
                    r.str(row, 5)};
}

}  // namespace

UserRecord user_from_result(const pg::Result& r, int row) { return user_from_row(r, row); }

UserRecord insert_user(pg::Connection& conn, const std::string& email, const std::string& username,
                       const std::string& password_hash) {
  auto r = conn.exec(kInsertUser, {email, username, password_hash});
  return user_from_row(r, 0);
}

std::optional<UserCredentials> find_by_email(pg::Connection& conn, const std::string& email) {
  auto r = conn.exec(kSelectUserByEmail, {email});
  if (r.rows() == 0) return std::nullopt;
  return UserCredentials{user_from_row(r, 0), r.str(0, 6)};
}

void update_password_hash(pg::Connection& conn, const std::string& user_id,
                          const std::string& password_hash) {
  conn.exec(kUpdatePasswordHash, {user_id, password_hash});
}

std::optional<UserRecord> find_by_id(pg::Connection& conn, const std::string& id) {
  auto r = conn.exec(kSelectUserById, {id});
  if (r.rows() == 0) return std::nullopt;
  return user_from_row(r, 0);
}

void insert_refresh_token(pg::Connection& conn, const std::string& token_hash,
                          const std::string& user_id, std::int64_t expires_at_us) {
  conn.exec(kInsertRefreshToken, {token_hash, user_id, std::to_string(expires_at_us)});
}

std::optional<RefreshTokenRow> lock_refresh_token(pg::Connection& conn,
                                                  const std::string& token_hash) {
  auto r = conn.exec(kLockRefreshToken, {token_hash});
  if (r.rows() == 0) return std::nullopt;
  return RefreshTokenRow{r.str(0, 0), r.int64(0, 1), r.boolean(0, 2)};
}

void mark_rotated(pg::Connection& conn, const std::string& old_hash, const std::string& new_hash,
                  std::int64_t now_us) {
  conn.exec(kMarkRotated, {old_hash, new_hash, std::to_string(now_us)});
}

bool revoke(pg::Connection& conn, const std::string& token_hash, std::int64_t now_us) {
  return conn.exec(kRevoke, {token_hash, std::to_string(now_us)}).affected() > 0;
}

std::int64_t revoke_all_for_user(pg::Connection& conn, const std::string& user_id,
                                 std::int64_t now_us) {
  return conn.exec(kRevokeAllForUser, {user_id, std::to_string(now_us)}).affected();
}

}  // namespace botfactory::auth::user_repository
