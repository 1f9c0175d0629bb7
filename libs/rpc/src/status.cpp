#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/retry_after.hpp"

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/pg/connection.hpp"

namespace botfactory::rpc {

void throw_invalid(const std::string& message) {
  throw StatusError(grpc::StatusCode::INVALID_ARGUMENT, message);
}
void throw_not_found(const std::string& message) {
  throw StatusError(grpc::StatusCode::NOT_FOUND, message);
}
void throw_already_exists(const std::string& message) {
  throw StatusError(grpc::StatusCode::ALREADY_EXISTS, message);
}
void throw_unauthenticated(const std::string& message) {
  throw StatusError(grpc::StatusCode::UNAUTHENTICATED, message);
}
void throw_exhausted(const std::string& message) {
  throw StatusError(grpc::StatusCode::RESOURCE_EXHAUSTED, message);
}

void throw_rate_limited(const std::string& message, int retry_after_s) {
  throw_retry_later(grpc::StatusCode::RESOURCE_EXHAUSTED, message, retry_after_s);
}
bool is_rate_limited(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
         retry_after_seconds(status).has_value();
}

grpc::Status status_from_current_exception(const char* rpc_name) {
  auto log = common::logger("rpc");
  try {
    throw;
  } catch (const StatusError& e) {
    return e.status();
  } catch (const common::CallAbandoned& e) {
    log->warn("{}: abandoned, nothing committed: {}", rpc_name, e.what());
    return grpc::Status(e.reason() == common::CallAbandoned::Reason::kCancelled
                            ? grpc::StatusCode::CANCELLED
                            : grpc::StatusCode::DEADLINE_EXCEEDED,
                        e.what());
  } catch (const pg::TimeoutError& e) {
    log->warn("{}: database timeout sqlstate={} {}", rpc_name, e.sqlstate(),
              common::json_escape(e.what()));
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "database statement timed out");
  } catch (const pg::Error& e) {
    if (e.is_invalid_text_representation()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "not found");
    }
    log->error("{}: database error sqlstate={} {}", rpc_name, e.sqlstate(),
               common::json_escape(e.what()));
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "database unavailable");
  } catch (const std::exception& e) {
    log->error("{}: {}", rpc_name, common::json_escape(e.what()));
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  } catch (...) {
    log->error("{}: unknown exception", rpc_name);
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
}

}  // namespace botfactory::rpc
