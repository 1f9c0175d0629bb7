#pragma once
// SQL access to auth.login_failures (V002): the per-account failed-login state of
// login_throttle.hpp. Stateless; every function runs on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>

#include "botfactory/pg/connection.hpp"
#include "login_throttle.hpp"

namespace botfactory::auth::login_failure_repository {

/// The stored state for `email_hash` (SHA-256 hex of the normalized e-mail), if any.
std::optional<FailureRecord> find(pg::Connection& conn, const std::string& email_hash);

/// The state for `email_hash`, locked FOR UPDATE until the transaction ends (a row is created
/// first if there is none, so concurrent first failures serialize too). A new row reads as
/// failures 0, expired.
FailureRecord lock(pg::Connection& conn, const std::string& email_hash);

/// Overwrites the state of `email_hash` (the row must exist, e.g. after lock()).
void save(pg::Connection& conn, const std::string& email_hash, const FailureRecord& record);

/// Forgets `email_hash` (after a successful login).
void clear(pg::Connection& conn, const std::string& email_hash);

/// Deletes at most `limit` rows whose expires_at is before `now_us`. Returns how many.
std::int64_t prune_expired(pg::Connection& conn, std::int64_t now_us, int limit);

}  // namespace botfactory::auth::login_failure_repository
