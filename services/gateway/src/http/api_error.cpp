#include "http/api_error.hpp"

#include <boost/json.hpp>
#include <grpcpp/support/status.h>

#include "botfactory/common/logging.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/status.hpp"
#include "rest/e2ee_errors.hpp"
#include "rest/team_rest.hpp"

namespace botfactory::gateway {

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  boost::json::object root;
  root["error"] = std::move(error);
  HttpResponse response;
  response.status = status;
  response.body = boost::json::serialize(root);
  return response;
}

HttpResponse error_response(const ApiError& error) {
  auto response = error_response(error.status(), error.code(), error.what());
  if (error.retry_after_s() > 0) {
    response.headers.emplace_back("Retry-After", std::to_string(error.retry_after_s()));
  }
  return response;
}

ApiError api_error_from_grpc(const grpc::Status& status) {
  const std::string& message = status.error_message();
  if (auto e2ee = e2ee_api_error(status)) return *e2ee;  // e2ee rooms (rest/e2ee_errors.hpp)
  if (auto team = team_api_error(status)) return *team;  // team accounts (rest/team_rest.hpp)
  if (auto retry = rpc::retry_after_seconds(status)) {
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      return ApiError(429, "rate_limited", message.empty() ? "too many requests" : message)
          .with_retry_after(*retry);
    }
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return ApiError(503, "unavailable", message.empty() ? "busy, try again" : message)
          .with_retry_after(*retry);
    }
  }
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      return ApiError(400, "validation_failed", message.empty() ? "invalid request" : message);
    case grpc::StatusCode::UNAUTHENTICATED:
      return ApiError(401, "unauthorized", message.empty() ? "unauthorized" : message);
    case grpc::StatusCode::PERMISSION_DENIED:
      return ApiError(403, "forbidden", "forbidden");
    case grpc::StatusCode::NOT_FOUND:
      return ApiError(404, "not_found", message.empty() ? "not found" : message);
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
      return ApiError(409, "conflict", message.empty() ? "conflict" : message);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:  // with a retry hint: 429 above
      return ApiError(402, "quota_exceeded", message.empty() ? "quota exceeded" : message);
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return ApiError(503, "unavailable", "a backing service is unavailable, try again");
    default:
      common::logger("rest")->error("upstream call failed: code {} {}",
                                    static_cast<int>(status.error_code()),
                                    common::json_escape(message));
      return ApiError(500, "internal", "internal error");
  }
}

void check(const grpc::Status& status) {
  if (!status.ok()) throw api_error_from_grpc(status);
}

void refuse_if_tagged(const grpc::Status& status, grpc::StatusCode code, std::string_view tag,
                      int http_status, std::string_view api_code) {
  if (status.error_code() != code) return;
  const std::string& message = status.error_message();
  if (message.size() < tag.size() + 2 || message.compare(0, tag.size(), tag) != 0 ||
      message.compare(tag.size(), 2, ": ") != 0) {
    return;
  }
  throw ApiError(http_status, std::string(api_code), message.substr(tag.size() + 2));
}

}  // namespace botfactory::gateway
