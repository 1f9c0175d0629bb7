#pragma once
// A thin RAII layer over libpq: connections, results, typed errors, transactions.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace botfactory::pg {

/// A database error. `sqlstate()` is the five-character SQLSTATE (PostgreSQL docs, Appendix A),
/// empty for connection-level failures.
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, std::string sqlstate)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  /// 23505: a UNIQUE or PRIMARY KEY constraint rejected the row.
  bool is_unique_violation() const { return sqlstate_ == "23505"; }
  /// 23503: a FOREIGN KEY constraint rejected the row.
  bool is_foreign_key_violation() const { return sqlstate_ == "23503"; }
  /// 22P02: text that is not a valid value of the column type (e.g. a malformed UUID).
  bool is_invalid_text_representation() const { return sqlstate_ == "22P02"; }

 private:
  std::string sqlstate_;
};

/// An Error raised by one of the server-side session timeouts (SessionLimits): SQLSTATE 57014
/// query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout) or 25P03
/// idle_in_transaction_session_timeout. Callers map it to DEADLINE_EXCEEDED (rpc::guard).
class TimeoutError : public Error {
 public:
  using Error::Error;
};

/// Server-side limits every session gets at connect, through the libpq `options` connection
/// parameter (`-c name=value`, PostgreSQL docs 34.1.2 and 20.11.1 "Statement Behavior"), so
/// that every pooled connection has them and no statement or lock wait holds a connection
/// (and the caller's thread) for ever. 0 = no limit.
struct SessionLimits {
  std::chrono::milliseconds statement_timeout{5000};               // PG_STATEMENT_TIMEOUT_MS
  std::chrono::milliseconds lock_timeout{2000};                    // PG_LOCK_TIMEOUT_MS
  std::chrono::milliseconds idle_in_transaction_timeout{30000};    // PG_IDLE_IN_TRANSACTION_TIMEOUT_MS

  /// The defaults above, overridden by the environment variables named. Throws
  /// common::ConfigError for a value outside 0..3600000.
  static SessionLimits from_env();
  /// The `options` value: "-c statement_timeout=5000 -c lock_timeout=2000 ...".
  std::string options() const;
};

/// Throws TimeoutError for a session timeout's SQLSTATE (57014, 55P03, 25P03), Error otherwise.
[[noreturn]] void throw_error(const std::string& message, const std::string& sqlstate);

/// One query parameter in text format; std::nullopt is SQL NULL.
using Param = std::optional<std::string>;

/// The result of one statement. Values are read in text format.
class Result {
 public:
  explicit Result(pg_result* result);
  Result(Result&&) noexcept;
  Result& operator=(Result&&) noexcept;
  ~Result();

  int rows() const;
  int columns() const;
  bool is_null(int row, int column) const;
  /// Text value of a cell; empty for NULL. Valid while the Result lives.
  std::string_view text(int row, int column) const;
  std::string str(int row, int column) const { return std::string(text(row, column)); }
  std::int64_t int64(int row, int column) const;
  double float64(int row, int column) const;
  /// PostgreSQL boolean ("t"/"f").
  bool boolean(int row, int column) const;
  /// Number of rows an INSERT/UPDATE/DELETE touched.
  std::int64_t affected() const;

 private:
  pg_result* result_;
};

/// One libpq connection. Not thread-safe: use it from one thread at a time (see Pool).
class Connection {
 public:
  /// Connects with a libpq conninfo string ("host=... port=... dbname=..." or a URI) and
  /// `limits` on the session (appended to any `options` the conninfo has). Throws Error when
  /// the server cannot be reached or the conninfo is malformed.
  explicit Connection(const std::string& conninfo, const SessionLimits& limits = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs one statement with $1..$n text parameters. Throws Error with the SQLSTATE on failure.
  Result exec(std::string_view sql, const std::vector<Param>& params = {});
  /// exec() through a server-side prepared statement named `name`, prepared from `sql` on this
  /// connection's first use of the name, so a hot query is parsed and planned once per
  /// connection instead of per call (PostgreSQL PREPARE: custom plans for the first five
  /// executions, then a generic plan when it is not costlier). `name` must always be used with
  /// the same `sql`. Throws Error with the SQLSTATE on failure.
  Result exec_prepared(const std::string& name, std::string_view sql,
                       const std::vector<Param>& params = {});
  /// Runs one or more statements without parameters (migrations). Throws Error.
  void exec_script(std::string_view sql);
  /// True when the connection is usable.
  bool healthy() const;
  /// Reconnects after a broken connection (prepared statements are prepared again on use).
  void reset();

 private:
  friend class Pipeline;  // pipeline.hpp: the same session in libpq pipeline mode
  pg_conn* conn_;
  std::unordered_set<std::string> prepared_;  // statement names prepared on this session
};

/// RAII transaction: BEGIN on construction, ROLLBACK on destruction unless commit() was called.
/// commit() refuses to COMMIT when the gRPC call this thread serves was abandoned by its caller
/// (deadline passed or cancelled, common/call_deadline.hpp): it throws common::CallAbandoned
/// and the destructor rolls back.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace botfactory::pg
