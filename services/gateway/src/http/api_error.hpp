#pragma once
// REST errors: `{"error":{"code":"…","message":"…"}}` with the matching HTTP status, and the one
// place where gRPC status codes of the upstream services become HTTP errors.

#include <stdexcept>
#include <string>
#include <string_view>

#include <grpcpp/support/status_code_enum.h>

#include "http/http_message.hpp"

namespace grpc {
class Status;
}

namespace botfactory::gateway {

/// Thrown by REST handlers; rendered by RestApi::handle() with error_response().
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  /// Seconds for a Retry-After header (RFC 9110 section 10.2.3); 0 = none.
  int retry_after_s() const { return retry_after_s_; }
  ApiError& with_retry_after(int seconds) {
    retry_after_s_ = seconds;
    return *this;
  }

 private:
  int status_;
  std::string code_;
  int retry_after_s_ = 0;
};

/// A JSON error response.
HttpResponse error_response(int status, std::string_view code, std::string_view message);

/// roomcore: the JSON error response of `error`, with Retry-After when it carries one.
HttpResponse error_response(const ApiError& error);

/// The REST error for a failed upstream call: INVALID_ARGUMENT 400 validation_failed (with the
/// service's message), UNAUTHENTICATED 401 unauthorized, PERMISSION_DENIED 403 forbidden,
/// NOT_FOUND 404 not_found, ALREADY_EXISTS / FAILED_PRECONDITION 409 conflict,
/// RESOURCE_EXHAUSTED 402 quota_exceeded, or 429 rate_limited when it carries
/// a retry hint (rpc/retry_after.hpp, e.g. the login throttle; then
/// with Retry-After), UNAVAILABLE / DEADLINE_EXCEEDED 503 unavailable (with the service's message
/// and Retry-After when it carries a retry hint, e.g. auth's password-hashing cap),
/// anything else 500 internal (the details are logged, not sent).
ApiError api_error_from_grpc(const grpc::Status& status);

/// Throws api_error_from_grpc(status) unless it is OK.
void check(const grpc::Status& status);

/// Throws ApiError(`http_status`, `api_code`, the rest of the message) when `status` has `code`
/// and its message starts with "`tag`: " — how a service names one refusal among others of the
/// same gRPC code (e.g. FAILED_PRECONDITION "canned_limit: at most 500 saved replies" → 409
/// `canned_limit`). Returns normally otherwise, so the caller goes on to check(status).
void refuse_if_tagged(const grpc::Status& status, grpc::StatusCode code, std::string_view tag,
                      int http_status, std::string_view api_code);

}  // namespace botfactory::gateway
