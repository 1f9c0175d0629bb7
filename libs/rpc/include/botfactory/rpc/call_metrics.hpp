#pragma once
// Prometheus metrics for handled gRPC server calls, named as in go-grpc-prometheus
// (grpc_server_handled_total, grpc_server_handling_seconds) so standard dashboards apply.

#include <chrono>
#include <string>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "botfactory/rpc/status.hpp"

namespace botfactory::rpc {

/// The canonical name of a status code (grpc/grpc doc/statuscodes.md), e.g. "RESOURCE_EXHAUSTED".
const char* status_code_name(grpc::StatusCode code);

/// Records one handled call in metrics::Registry::global():
/// counter `grpc_server_handled_total{grpc_service,grpc_method,grpc_code}` and histogram
/// `grpc_server_handling_seconds{grpc_service,grpc_method}` (metrics::latency_buckets()).
/// `service` is the full proto service name (e.g. "botfactory.auth.v1.AuthService").
void record_call(const std::string& service, const std::string& method, grpc::StatusCode code,
                 std::chrono::steady_clock::duration elapsed);

/// guard() plus metrics: runs `body`, maps what it throws to a status exactly like guard(),
/// and records the call's outcome and latency with record_call().
template <typename Body>
grpc::Status metered_guard(const char* service, const char* method, Body&& body) {
  auto start = std::chrono::steady_clock::now();
  grpc::Status status = guard(method, std::forward<Body>(body));
  record_call(service, method, status.error_code(), std::chrono::steady_clock::now() - start);
  return status;
}

}  // namespace botfactory::rpc
