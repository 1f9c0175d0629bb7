#include "login_failure_repository.hpp"

namespace botfactory::auth::login_failure_repository {
namespace {

// Microsecond timestamps cross the wire as integers, converted exactly on both sides.
#define BF_MICROS(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define BF_FROM_MICROS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 microsecond')"

constexpr const char* kFind =
    "SELECT failures, " BF_MICROS("blocked_until") ", " BF_MICROS("expires_at") " "
    "FROM auth.login_failures WHERE email_hash = $1";

constexpr const char* kEnsure =
    "INSERT INTO auth.login_failures (email_hash, failures, blocked_until, expires_at) "
    "VALUES ($1, 0, 'epoch', 'epoch') ON CONFLICT (email_hash) DO NOTHING";

constexpr const char* kLock =
    "SELECT failures, " BF_MICROS("blocked_until") ", " BF_MICROS("expires_at") " "
    "FROM auth.login_failures WHERE email_hash = $1 FOR UPDATE";

constexpr const char* kSave =
    "UPDATE auth.login_failures SET failures = $2, blocked_until = " BF_FROM_MICROS("$3") ", "
    "expires_at = " BF_FROM_MICROS("$4") " WHERE email_hash = $1";

constexpr const char* kClear = "DELETE FROM auth.login_failures WHERE email_hash = $1";

constexpr const char* kPrune =
    "DELETE FROM auth.login_failures WHERE email_hash IN ("
    "SELECT email_hash FROM auth.login_failures WHERE expires_at < " BF_FROM_MICROS("$1") " "
    "LIMIT $2 FOR UPDATE SKIP LOCKED)";

#undef BF_MICROS
#undef BF_FROM_MICROS

FailureRecord record_from_row(const pg::Result& r) {
  return FailureRecord{static_cast<int>(r.int64(0, 0)), r.int64(0, 1), r.int64(0, 2)};
}

}  // namespace

std::optional<FailureRecord> find(pg::Connection& conn, const std::string& email_hash) {
  auto r = conn.exec(kFind, {email_hash});
  if (r.rows() == 0) return std::nullopt;
  return record_from_row(r);
}

FailureRecord lock(pg::Connection& conn, const std::string& email_hash) {
  conn.exec(kEnsure, {email_hash});
  return record_from_row(conn.exec(kLock, {email_hash}));
}

void save(pg::Connection& conn, const std::string& email_hash, const FailureRecord& record) {
  conn.exec(kSave, {email_hash, std::to_string(record.failures),
                    std::to_string(record.blocked_until_us), std::to_string(record.expires_at_us)});
}

void clear(pg::Connection& conn, const std::string& email_hash) { conn.exec(kClear, {email_hash}); }

std::int64_t prune_expired(pg::Connection& conn, std::int64_t now_us, int limit) {
  return conn.exec(kPrune, {std::to_string(now_us), std::to_string(limit)}).affected();
}

}  // namespace botfactory::auth::login_failure_repository
