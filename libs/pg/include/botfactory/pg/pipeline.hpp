#pragma once
// libpq pipeline mode (PostgreSQL docs 34.5 "Pipeline Mode", libpq 14+): many statements sent
// in one round trip, their results read back in order.

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "botfactory/pg/connection.hpp"

namespace botfactory::pg {

/// The outcome of one statement sent in a pipeline: exactly one of `result` (it succeeded),
/// `error` (it failed: a pg::Error or pg::TimeoutError with the SQLSTATE) or `aborted` (it was
/// skipped because an earlier statement of the same sync failed: PGRES_PIPELINE_ABORTED).
struct PipelineOutcome {
  std::optional<Result> result;
  std::exception_ptr error;
  std::string sqlstate;  // of `error`; "" otherwise
  std::string constraint;  // the constraint `error` names (PG_DIAG_CONSTRAINT_NAME), if any
  bool aborted = false;
};

/// Puts `connection` in pipeline mode for its lifetime. Statements are queued with send() /
/// send_prepared() and go to the server, with a Sync, in sync(), which returns one outcome per
/// statement. Within one sync an error skips the rest (the protocol discards messages up to the
/// Sync); inside an explicit BEGIN the transaction is then left failed until ROLLBACK
/// (transaction_open()). Not thread-safe; one Pipeline per connection at a time.
class Pipeline {
 public:
  /// Enters pipeline mode (PQenterPipelineMode). Throws Error when the connection is not idle.
  explicit Pipeline(Connection& connection);
  /// Leaves pipeline mode. A connection with statements queued but not synced, or that cannot
  /// leave pipeline mode (broken), is reset (Connection::reset: reconnected).
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Queues `sql` with $1..$n text parameters (PQsendQueryParams). Throws Error when libpq
  /// cannot queue it (connection lost).
  void send(std::string_view sql, const std::vector<Param>& params = {});
  /// Queues the prepared statement `name` (prepared from `sql` in the same pipeline on this
  /// session's first use of the name; `name` must always go with the same `sql`).
  void send_prepared(const std::string& name, std::string_view sql,
                     const std::vector<Param>& params = {});
  /// Sends the queued statements and a Sync (PQpipelineSync) and reads every outcome, in the
  /// order sent. Throws Error (empty SQLSTATE) when the connection breaks: then nothing is
  /// known about the statements.
  std::vector<PipelineOutcome> sync();
  /// After sync(): true while an explicit transaction is still open (in progress or failed).
  bool transaction_open() const;

 private:
  Connection& connection_;
  /// Per queued command: true = a statement whose outcome sync() returns; false = an internal
  /// PREPARE (its failure is reported on the statement that needed it).
  std::vector<bool> returned_;
  std::vector<std::string> prepared_names_;  // names of the PREPAREs queued, in order
  bool synced_ = true;
};

}  // namespace botfactory::pg
