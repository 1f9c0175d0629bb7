#pragma once
// Server side of deadline propagation (common/call_deadline.hpp).

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace botfactory::rpc {

/// Makes each incoming call's deadline and cancellation (grpc::ServerContext::deadline(),
/// IsCancelled()) the handler thread's call deadline while the handler runs, so that
/// pg::Transaction::commit() refuses to commit once the caller gave up, and outgoing calls
/// (set_deadline) never outlive it. Cleared when the call sends its status. gRPC's experimental
/// server interceptor API (grpc 1.51), sync server: the hooks run on the handler thread.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
make_call_deadline_interceptor_factory();

}  // namespace botfactory::rpc
