#include "botfactory/rpc/call_metrics.hpp"

#include "botfactory/metrics/registry.hpp"

namespace botfactory::rpc {

const char* status_code_name(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

void record_call(const std::string& service, const std::string& method, grpc::StatusCode code,
                 std::chrono::steady_clock::duration elapsed) {
  auto& registry = metrics::Registry::global();
  std::string labels = "grpc_service=\"" + service + "\",grpc_method=\"" + method + "\"";
  registry
      .counter("grpc_server_handled_total", "gRPC calls completed on the server, by status code.",
               labels + ",grpc_code=\"" + status_code_name(code) + "\"")
      .inc();
  registry
      .histogram("grpc_server_handling_seconds",
                 "Time to handle a gRPC call on the server, in seconds.",
                 metrics::latency_buckets(), labels)
      .observe(std::chrono::duration<double>(elapsed).count());
}

}  // namespace botfactory::rpc
