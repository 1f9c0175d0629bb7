#pragma once
// Caller authentication between BotFactory services: a shared secret (INTERNAL_RPC_SECRET) that
// every client call sends as metadata and every server checks (docs/architecture.md, "Internal
// calls"). Channels from rpc::make_channel send it; rpc::Server refuses calls without it.

#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>

namespace botfactory::rpc {

/// The metadata key that carries the shared secret on every internal call.
inline constexpr const char* kInternalTokenMetadata = "x-botfactory-internal-token";

/// The process's internal-call secret: INTERNAL_RPC_SECRET, read once and checked with
/// common::require_secret (missing, < 32 bytes or known → common::ConfigError unless
/// BOTFACTORY_INSECURE_DEV=1). Call it at start-up to fail fast; thread-safe.
const std::string& internal_token();

/// True when `presented` equals internal_token(), compared in constant time (SHA-256 of both,
/// then sodium_memcmp), so neither content nor length leaks through timing.
bool is_internal_token(std::string_view presented);

/// Client side: adds `x-botfactory-internal-token: internal_token()` to every call's initial
/// metadata. Used by rpc::make_channel.
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>
make_internal_token_client_factory();

/// Server side: a call whose metadata lacks the right token is refused with UNAUTHENTICATED
/// "caller is not an authenticated BotFactory service" (its handler body does not run: guard()
/// checks internal_call_refused(); the sent status is overridden as well). grpc.health.v1.Health
/// is exempt so that orchestrators can probe without the secret. Refusals are counted in
/// `rpc_internal_auth_refused_total` and logged with the method, never with the token.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
make_internal_token_server_factory();

/// True while the current thread serves an intercepted call whose caller failed the token
/// check. False outside calls (in-process use of a service needs no token).
bool internal_call_refused();

/// The status sent for a refused call.
grpc::Status internal_call_refusal_status();

}  // namespace botfactory::rpc
