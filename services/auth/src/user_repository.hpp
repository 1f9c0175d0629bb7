#pragma once
// SQL access to the `auth` schema: users and refresh tokens. Stateless; every function runs on
// the caller's connection (and so inside the caller's transaction, if any).

#include <cstdint>
#include <optional>
#include <string>

#include "botfactory/pg/connection.hpp"

namespace botfactory::auth {

/// A user as the API shows it. Times are microseconds since the Unix epoch.
struct UserRecord {
  std::string id;
  std::string tenant_id;
  std::string email;
  std::string username;
  std::int64_t created_at_us = 0;
  std::string role = "owner";  // owner | admin | operator (team accounts, team_service.hpp)
};

/// A user with the stored Argon2id hash, for login.
struct UserCredentials {
  UserRecord user;
  std::string password_hash;
};

/// One stored refresh token, looked up by its SHA-256 hex.
struct RefreshTokenRow {
  std::string user_id;
  std::int64_t expires_at_us = 0;
  bool revoked = false;
};

/// Users and refresh tokens in PostgreSQL schema `auth`.
namespace user_repository {

/// Inserts a user (fresh id and tenant id). Throws pg::Error; is_unique_violation() when the
/// email or the username is taken.
UserRecord insert_user(pg::Connection& conn, const std::string& email, const std::string& username,
                       const std::string& password_hash);

/// A UserRecord from columns id, tenant_id, email, username, created_at (µs), role of `row`.
UserRecord user_from_result(const pg::Result& r, int row);

/// The user with this (normalized) email and its password hash (removed team members: none).
std::optional<UserCredentials> find_by_email(pg::Connection& conn, const std::string& email);

/// Replaces the stored password hash of `user_id` (rehash on login with the current cost).
void update_password_hash(pg::Connection& conn, const std::string& user_id,
                          const std::string& password_hash);

/// The user with this id (removed team members: none). `id` must be a UUID (pg::Error 22P02 otherwise).
std::optional<UserRecord> find_by_id(pg::Connection& conn, const std::string& id);

/// Stores a new refresh token hash for `user_id`, valid until `expires_at_us`.
void insert_refresh_token(pg::Connection& conn, const std::string& token_hash,
                          const std::string& user_id, std::int64_t expires_at_us);

/// The token row, locked FOR UPDATE until the transaction ends (serializes rotations).
std::optional<RefreshTokenRow> lock_refresh_token(pg::Connection& conn,
                                                  const std::string& token_hash);

/// Marks `old_hash` revoked at `now_us`, replaced by `new_hash`.
void mark_rotated(pg::Connection& conn, const std::string& old_hash, const std::string& new_hash,
                  std::int64_t now_us);

/// Revokes one token if it is still live. Returns whether a row changed.
bool revoke(pg::Connection& conn, const std::string& token_hash, std::int64_t now_us);

/// Revokes every live token of `user_id`. Returns how many.
std::int64_t revoke_all_for_user(pg::Connection& conn, const std::string& user_id,
                                 std::int64_t now_us);

}  // namespace user_repository
}  // namespace botfactory::auth
