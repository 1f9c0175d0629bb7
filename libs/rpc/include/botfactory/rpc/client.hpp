#pragma once
// gRPC client helpers: channels and per-call deadlines.

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

namespace botfactory::rpc {

/// A channel to `target` without TLS whose every call carries the internal-call secret
/// (rpc/internal_auth.hpp; throws common::ConfigError when INTERNAL_RPC_SECRET is missing or
/// weak). `target` is a gRPC name (https://grpc.github.io/grpc/core/md_doc_naming.html):
/// "host:port", "ipv4:127.0.0.1:50055,127.0.0.1:50056" (several replicas) or
/// "dns:///channel-connector-headless:50055" (every address a DNS name resolves to, e.g. a
/// Kubernetes headless service); calls are spread over every address with the round_robin
/// policy (one address: the same as pick_first). Channels are cheap to share across threads.
std::shared_ptr<grpc::Channel> make_channel(const std::string& target);

/// The deadline of every client call: RPC_TIMEOUT_MS (1..600000, default 5000 ms). Throws
/// common::ConfigError for a value out of range.
std::chrono::milliseconds rpc_timeout_from_env();

/// Sets a deadline `timeout` from now on `context` (every client call gets one), or the deadline
/// of the call the current thread serves when that is earlier (deadline propagation,
/// common/call_deadline.hpp), and forwards the
/// thread's current request id (common::current_request_id()) as `x-request-id` metadata.
void set_deadline(grpc::ClientContext& context, std::chrono::milliseconds timeout);

/// True when `channel` answers grpc.health.v1 Check with SERVING within `timeout`.
bool is_serving(const std::shared_ptr<grpc::Channel>& channel, std::chrono::milliseconds timeout);

}  // namespace botfactory::rpc
