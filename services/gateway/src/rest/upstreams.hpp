#pragma once
// gRPC clients of the services the gateway fronts. Calls are blocking: make them on the worker
// pool, never on an I/O thread.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "botfactory/auth/v1/auth.grpc.pb.h"
#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/chat/v1/chat.grpc.pb.h"
#include "botfactory/registry/v1/registry.grpc.pb.h"

namespace botfactory::gateway {

struct GatewaySettings;

using AuthRpc = auth::v1::AuthService::StubInterface;
using BillingRpc = billing::v1::SubscriptionService::StubInterface;
using RegistryRpc = registry::v1::BotRegistryService::StubInterface;
using ChatRpc = chat::v1::ChannelConnectorService::StubInterface;

/// A unary method of a generated gRPC stub interface, e.g. `&ChatRpc::PostMessage`.
template <typename Stub, typename Request, typename Response>
using UnaryMethod = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

/// The stubs plus the deadline every call gets. Stubs are thread-safe.
struct Upstreams {
  std::shared_ptr<grpc::Channel> auth_channel;
  std::shared_ptr<grpc::Channel> subscription_channel;
  std::shared_ptr<grpc::Channel> registry_channel;
  std::shared_ptr<grpc::Channel> chat_channel;
  std::unique_ptr<auth::v1::AuthService::StubInterface> auth;
  std::unique_ptr<billing::v1::SubscriptionService::StubInterface> subscription;
  std::unique_ptr<registry::v1::BotRegistryService::StubInterface> registry;
  std::unique_ptr<chat::v1::ChannelConnectorService::StubInterface> chat;
  std::chrono::milliseconds timeout{5000};

  /// Channels to AUTH_ADDR, SUBSCRIPTION_ADDR, REGISTRY_ADDR, CHANNEL_ADDR (lazy: no I/O here).
  static Upstreams connect(const GatewaySettings& settings);

  /// Sets the per-call deadline (RPC_TIMEOUT_MS) on `context`.
  void prepare(grpc::ClientContext& context) const;

  /// One unary call of `method` on `stub` with the per-call deadline (prepare()); fills
  /// `response` and returns the status.
  template <typename Stub, typename Request, typename Response>
  grpc::Status call(Stub& stub, UnaryMethod<Stub, Request, Response> method,
                    const Request& request, Response& response) const {
    grpc::ClientContext context;
    prepare(context);
    return (stub.*method)(&context, request, &response);
  }

  /// Names of the upstreams whose grpc.health.v1 Check does not answer SERVING within
  /// `timeout` (empty when all are ready). Blocking.
  std::vector<std::string> unhealthy(std::chrono::milliseconds timeout) const;
};

}  // namespace botfactory::gateway
