#pragma once
// Building and running a gRPC server the same way in every service.

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace botfactory::rpc {

/// A started gRPC server with grpc.health.v1 enabled (grpc::EnableDefaultHealthCheckService).
/// Each call's `x-request-id` metadata becomes the handler thread's request id (in its log lines
/// and forwarded by its own calls); each call's deadline and cancellation become the handler
/// thread's call deadline (common/call_deadline.hpp: no commit after the caller gave up).
/// Calls without the internal-call secret are refused with UNAUTHENTICATED, except
/// grpc.health.v1.Health (rpc/internal_auth.hpp).
/// Incoming messages up to RPC_MAX_MESSAGE_BYTES (default 16 MiB, 4..256 MiB; larger →
/// RESOURCE_EXHAUSTED). SO_REUSEPORT is off, so a second server on a busy port fails instead of
/// sharing it.
class Server {
 public:
  /// Binds `address` ("127.0.0.1:0" picks a free port) without TLS and starts serving
  /// `services` (not owned; they must outlive the server). Throws std::runtime_error when the
  /// address cannot be bound, common::ConfigError when INTERNAL_RPC_SECRET is missing or weak.
  Server(const std::string& address, const std::vector<grpc::Service*>& services);
  ~Server();

  /// The bound port.
  int port() const { return port_; }
  /// Marks every service NOT_SERVING in the health service, then stops, waiting up to
  /// `grace_ms` for in-flight calls.
  void shutdown(int grace_ms = 5000);

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace botfactory::rpc
