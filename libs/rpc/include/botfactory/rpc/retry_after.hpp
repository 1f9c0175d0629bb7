#pragma once
// "Retry later" statuses: a gRPC status whose binary error details carry how many seconds the
// caller should wait (botfactory.common.v1.RetryInfo), so the gateway can answer Retry-After
// (RFC 9110 section 10.2.3).

#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

namespace botfactory::rpc {

/// Throws StatusError(code, message) carrying RetryInfo{retry_after_s} (clamped to >= 1 s).
[[noreturn]] void throw_retry_later(grpc::StatusCode code, const std::string& message,
                                    int retry_after_s);

/// The retry delay in seconds carried by `status`, or std::nullopt when it carries none (or
/// details that are not a RetryInfo).
std::optional<int> retry_after_seconds(const grpc::Status& status);

}  // namespace botfactory::rpc
