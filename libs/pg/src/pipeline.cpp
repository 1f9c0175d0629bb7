#include "botfactory/pg/pipeline.hpp"

#include <libpq-fe.h>

namespace botfactory::pg {
namespace {

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::vector<const char*> param_values(const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

std::exception_ptr error_of(const std::string& message, const std::string& sqlstate) {
  try {
    throw_error(message, sqlstate);
  } catch (...) {
    return std::current_exception();
  }
}

/// The outcome of one command from its first result (owned; null = none arrived).
PipelineOutcome outcome_of(PGresult* raw) {
  PipelineOutcome outcome;
  switch (PQresultStatus(raw)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
      outcome.result.emplace(raw);
      return outcome;
    case PGRES_PIPELINE_ABORTED:
      outcome.aborted = true;
      PQclear(raw);
      return outcome;
    default: {
      const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
      const char* constraint = PQresultErrorField(raw, PG_DIAG_CONSTRAINT_NAME);
      outcome.sqlstate = state ? state : "";
      outcome.constraint = constraint ? constraint : "";
      outcome.error = error_of(trimmed(PQresultErrorMessage(raw)), outcome.sqlstate);
      PQclear(raw);
      return outcome;
    }
  }
}

}  // namespace

Pipeline::Pipeline(Connection& connection) : connection_(connection) {
  if (PQenterPipelineMode(connection_.conn_) != 1) {
    throw Error("enter pipeline mode failed: " + trimmed(PQerrorMessage(connection_.conn_)), "");
  }
}

Pipeline::~Pipeline() {
  // Statements queued but never synced (an exception in between): their outcome is unknown and
  // the session state with them; a fresh session is the safe state.
  if (!synced_ || PQexitPipelineMode(connection_.conn_) != 1) connection_.reset();
}

void Pipeline::send(std::string_view sql, const std::vector<Param>& params) {
  std::string statement(sql);
  auto values = param_values(params);
  if (PQsendQueryParams(connection_.conn_, statement.c_str(), static_cast<int>(values.size()),
                        nullptr, values.data(), nullptr, nullptr, 0) != 1) {
    throw Error("queue statement failed: " + trimmed(PQerrorMessage(connection_.conn_)), "");
  }
  returned_.push_back(true);
  synced_ = false;
}

void Pipeline::send_prepared(const std::string& name, std::string_view sql,
                             const std::vector<Param>& params) {
  pg_conn* conn = connection_.conn_;
  if (!connection_.prepared_.count(name)) {
    std::string statement(sql);
    if (PQsendPrepare(conn, name.c_str(), statement.c_str(), 0, nullptr) != 1) {
      throw Error("queue prepare failed: " + trimmed(PQerrorMessage(conn)), "");
    }
    connection_.prepared_.insert(name);
    prepared_names_.push_back(name);
    returned_.push_back(false);
    synced_ = false;
  }
  auto values = param_values(params);
  if (PQsendQueryPrepared(conn, name.c_str(), static_cast<int>(values.size()), values.data(),
                          nullptr, nullptr, 0) != 1) {
    throw Error("queue statement failed: " + trimmed(PQerrorMessage(conn)), "");
  }
  returned_.push_back(true);
  synced_ = false;
}

std::vector<PipelineOutcome> Pipeline::sync() {
  pg_conn* conn = connection_.conn_;
  auto broken = [&] {
    returned_.clear();
    prepared_names_.clear();
    return Error("PostgreSQL connection lost in pipeline: " + trimmed(PQerrorMessage(conn)), "");
  };
  if (PQpipelineSync(conn) != 1) throw broken();
  synced_ = true;
  std::vector<PipelineOutcome> outcomes;
  outcomes.reserve(returned_.size());
  std::size_t prepare = 0;
  std::optional<PipelineOutcome> failed_prepare;
  for (bool returned : returned_) {
    PGresult* first = nullptr;
    while (PGresult* r = PQgetResult(conn)) {
      if (first == nullptr) {
        first = r;
      } else {
        PQclear(r);
      }
    }
    if (first == nullptr) throw broken();
    if (PQresultStatus(first) == PGRES_FATAL_ERROR && PQstatus(conn) == CONNECTION_BAD) {
      PQclear(first);
      throw broken();
    }
    auto outcome = outcome_of(first);
    if (!returned) {
      // A PREPARE: when it did not run, the name is not prepared on the session.
      if (!outcome.result) connection_.prepared_.erase(prepared_names_[prepare]);
      if (outcome.error) failed_prepare = std::move(outcome);
      ++prepare;
      continue;
    }
    if (failed_prepare && outcome.aborted) {
      outcome = std::move(*failed_prepare);  // the statement failed because its PREPARE did
      failed_prepare.reset();
    }
    outcomes.push_back(std::move(outcome));
  }
  returned_.clear();
  prepared_names_.clear();
  PGresult* end = PQgetResult(conn);
  bool synced = end != nullptr && PQresultStatus(end) == PGRES_PIPELINE_SYNC;
  if (end) PQclear(end);
  if (!synced) throw broken();
  return outcomes;
}

bool Pipeline::transaction_open() const {
  return PQtransactionStatus(connection_.conn_) != PQTRANS_IDLE;
}

}  // namespace botfactory::pg
