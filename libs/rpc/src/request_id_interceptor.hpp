#pragma once
// Server side of request-id propagation (common/request_id.hpp).

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace botfactory::rpc {

/// The gRPC metadata key that carries the request id between services.
inline constexpr const char* kRequestIdMetadata = "x-request-id";

/// Makes the `x-request-id` metadata of each incoming call the handler thread's current request
/// id (so the service's log lines carry it, and its own outgoing calls forward it), and clears
/// it when the call sends its status. gRPC's experimental server interceptor API (grpc 1.51).
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
make_request_id_interceptor_factory();

}  // namespace botfactory::rpc
