#pragma once
// Converting failures into gRPC statuses in exactly one place per RPC.

#include <stdexcept>
#include <string>

#include <grpcpp/grpcpp.h>

#include "botfactory/rpc/internal_auth.hpp"

namespace botfactory::rpc {

/// Thrown by service logic to answer with a specific gRPC status code and client-facing message.
/// `details` travels as the status' binary error details (grpc-status-details-bin trailer).
class StatusError : public std::runtime_error {
 public:
  StatusError(grpc::StatusCode code, const std::string& message, std::string details = {})
      : std::runtime_error(message), code_(code), details_(std::move(details)) {}
  grpc::StatusCode code() const { return code_; }
  const std::string& details() const { return details_; }
  grpc::Status status() const { return grpc::Status(code_, what(), details_); }

 private:
  grpc::StatusCode code_;
  std::string details_;
};

/// Shorthands for the common codes.
[[noreturn]] void throw_invalid(const std::string& message);
[[noreturn]] void throw_not_found(const std::string& message);
[[noreturn]] void throw_already_exists(const std::string& message);
[[noreturn]] void throw_unauthenticated(const std::string& message);
[[noreturn]] void throw_exhausted(const std::string& message);
/// RESOURCE_EXHAUSTED carrying a retry hint (rpc/retry_after.hpp): the caller is over a rate,
/// not a quota, and may retry in `retry_after_s` seconds (the gateway answers 429
/// `rate_limited` with Retry-After; a RESOURCE_EXHAUSTED without a hint is an exhausted quota,
/// 402 `quota_exceeded`; grpc/grpc doc/statuscodes.md).
[[noreturn]] void throw_rate_limited(const std::string& message, int retry_after_s);
/// True for a RESOURCE_EXHAUSTED status carrying a retry hint.
bool is_rate_limited(const grpc::Status& status);

/// Runs `body` unless the current call failed the internal-call token check (then
/// UNAUTHENTICATED, rpc/internal_auth.hpp), and maps what it throws to a status: StatusError as
/// given; common::CallAbandoned (the caller's deadline passed / it cancelled, nothing was
/// committed) to DEADLINE_EXCEEDED / CANCELLED; pg::TimeoutError
/// (statement, lock or idle-in-transaction timeout) to DEADLINE_EXCEEDED; pg::Error with
/// SQLSTATE 22P02 (malformed id) to NOT_FOUND; other pg::Error to UNAVAILABLE; anything else
/// to INTERNAL with the details logged under `rpc_name`, never sent to the caller.
template <typename Body>
grpc::Status guard(const char* rpc_name, Body&& body);

/// Implementation detail of guard(): classifies the in-flight exception.
grpc::Status status_from_current_exception(const char* rpc_name);

template <typename Body>
grpc::Status guard(const char* rpc_name, Body&& body) {
  if (internal_call_refused()) return internal_call_refusal_status();
  try {
    body();
    return grpc::Status::OK;
  } catch (...) {
    return status_from_current_exception(rpc_name);
  }
}

}  // namespace botfactory::rpc
