#include "botfactory/pg/connection.hpp"

#include <cstdlib>

#include <libpq-fe.h>

#include "botfactory/common/call_deadline.hpp"
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

}  // namespace

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

Connection::Connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
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
    throw Error(trim_message(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn)),
                state ? state : "");
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
    throw Error(trim_message(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_)),
                state ? state : "");
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
