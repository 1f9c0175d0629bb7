#include "botfactory/pg/connection.hpp"

#include <cstdlib>
#include <vector>

#include <libpq-fe.h>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/config.hpp"
#include "botfactory/common/logging.hpp"

namespace botfactory::pg {
namespace {

// Server NOTICEs ("schema already exists, skipping") go to the debug log, not raw stderr.
void log_notice(void*, const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && text.back() == '\n') text.pop_back();
  common::logger("pg")->debug("{}", common::json_escape(text));
}

std::string trim_message(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

/// The conninfo's own `options` value ("" when none). Throws Error for a malformed conninfo.
std::string conninfo_options(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
  if (parsed == nullptr) {
    std::string message = trim_message(error);
    PQfreemem(error);
    throw Error("invalid DATABASE_URL: " + message, "");
  }
  std::string options;
  for (auto* o = parsed; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "options" && o->val != nullptr) options = o->val;
  }
  PQconninfoFree(parsed);
  return options;
}

bool is_session_timeout(std::string_view sqlstate) {
  return sqlstate == "57014" || sqlstate == "55P03" || sqlstate == "25P03";
}

[[noreturn]] void throw_error(const std::string& message, const char* sqlstate) {
  pg::throw_error(message, std::string(sqlstate ? sqlstate : ""));
}

}  // namespace

void throw_error(const std::string& message, const std::string& sqlstate) {
  if (is_session_timeout(sqlstate)) throw TimeoutError(message, sqlstate);
  throw Error(message, sqlstate);
}

SessionLimits SessionLimits::from_env() {
  SessionLimits limits;
  auto ms = [](const char* name, std::chrono::milliseconds fallback) {
    return std::chrono::milliseconds(common::env_int(name, fallback.count(), 0, 3600000));
  };
  limits.statement_timeout = ms("PG_STATEMENT_TIMEOUT_MS", limits.statement_timeout);
  limits.lock_timeout = ms("PG_LOCK_TIMEOUT_MS", limits.lock_timeout);
  limits.idle_in_transaction_timeout =
      ms("PG_IDLE_IN_TRANSACTION_TIMEOUT_MS", limits.idle_in_transaction_timeout);
  return limits;
}

std::string SessionLimits::options() const {
  return "-c statement_timeout=" + std::to_string(statement_timeout.count()) +
         " -c lock_timeout=" + std::to_string(lock_timeout.count()) +
         " -c idle_in_transaction_session_timeout=" +
         std::to_string(idle_in_transaction_timeout.count());
}

Result::Result(pg_result* result) : result_(result) {}
Result::Result(Result&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (result_) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}
Result::~Result() {
  if (result_) PQclear(result_);
}

int Result::rows() const { return PQntuples(result_); }
int Result::columns() const { return PQnfields(result_); }
bool Result::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
std::string_view Result::text(int row, int column) const {
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}
std::int64_t Result::int64(int row, int column) const {
  if (is_null(row, column)) return 0;
  return std::strtoll(PQgetvalue(result_, row, column), nullptr, 10);
}
double Result::float64(int row, int column) const {
  if (is_null(row, column)) return 0.0;
  return std::strtod(PQgetvalue(result_, row, column), nullptr);
}
bool Result::boolean(int row, int column) const { return text(row, column) == "t"; }
std::int64_t Result::affected() const {
  const char* n = PQcmdTuples(result_);
  return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}

Connection::Connection(const std::string& conninfo, const SessionLimits& limits) {
  // Keywords are processed in order and the last value wins (libpq PQconnectdbParams with
  // expand_dbname): the conninfo first, then `options` with the limits appended to its own.
  std::string own = conninfo_options(conninfo);
  std::string options = own.empty() ? limits.options() : own + " " + limits.options();
  const char* keywords[] = {"dbname", "options", nullptr};
  const char* values[] = {conninfo.c_str(), options.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = trim_message(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error("connect to PostgreSQL failed: " + message, "");
  }
  PQsetNoticeProcessor(conn_, log_notice, nullptr);
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

namespace {

/// Takes ownership of `raw`; throws Error (message, SQLSTATE) unless the command succeeded.
Result checked(PGresult* raw, pg_conn* conn) {
  Result result(raw);
  auto status = PQresultStatus(raw);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    throw_error(trim_message(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn)), state);
  }
  return result;
}

std::vector<const char*> param_values(const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

}  // namespace

Result Connection::exec(std::string_view sql, const std::vector<Param>& params) {
  std::string statement(sql);
  auto values = param_values(params);
  return checked(PQexecParams(conn_, statement.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0),
                 conn_);
}

Result Connection::exec_prepared(const std::string& name, std::string_view sql,
                                 const std::vector<Param>& params) {
  if (!prepared_.count(name)) {
    std::string statement(sql);
    checked(PQprepare(conn_, name.c_str(), statement.c_str(), 0, nullptr), conn_);
    prepared_.insert(name);
  }
  auto values = param_values(params);
  return checked(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()),
                                values.data(), nullptr, nullptr, 0),
                 conn_);
}

void Connection::exec_script(std::string_view sql) {
  std::string script(sql);
  PGresult* raw = PQexec(conn_, script.c_str());
  Result result(raw);
  auto status = PQresultStatus(raw);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    throw_error(trim_message(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_)), state);
  }
}

bool Connection::healthy() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

void Connection::reset() {
  PQreset(conn_);
  prepared_.clear();
}

Transaction::Transaction(Connection& connection) : connection_(connection) {
  connection_.exec("BEGIN");
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      connection_.exec("ROLLBACK");
    } catch (const Error&) {
      // The connection is broken; the pool resets it on release.
    }
  }
}

void Transaction::commit() {
  // The caller of this work gave up: roll back (the destructor does) instead of committing what
  // it was told had failed.
  common::throw_if_call_abandoned();
  connection_.exec("COMMIT");
  done_ = true;
}

}  // namespace botfactory::pg
