#pragma once
// gRPC clients of the services the gateway fronts. Calls are blocking: make them on the worker
// pool, never on an I/O thread. Each upstream has a circuit breaker: a dead service costs a
// fast `unavailable`, not a deadline per request, and disables only the routes that call it.

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "botfactory/auth/v1/auth.grpc.pb.h"
#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/chat/v1/channels.grpc.pb.h"
#include "botfactory/chat/v1/chat.grpc.pb.h"
#include "botfactory/chat/v1/rooms.grpc.pb.h"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/common/circuit_breaker.hpp"

namespace botfactory::gateway {

using CircuitBreaker = common::CircuitBreaker;  // libs/common: shared with ai-proxy

struct GatewaySettings;

using AuthRpc = auth::v1::AuthService::StubInterface;
using BillingRpc = billing::v1::SubscriptionService::StubInterface;
using RegistryRpc = registry::v1::BotRegistryService::StubInterface;
using ChatRpc = chat::v1::ChannelConnectorService::StubInterface;
using ChannelsRpc = chat::v1::ChannelBindingService::StubInterface;
using RoomsRpc = chat::v1::RoomService::StubInterface;

/// A unary method of a generated gRPC stub interface, e.g. `&ChatRpc::PostMessage`.
template <typename Stub, typename Request, typename Response>
using UnaryMethod = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

/// The upstream services, in this order everywhere (names: dependency_name()).
enum class Dependency { kAuth, kSubscription, kRegistry, kChat };
inline constexpr std::array kAllDependencies = {Dependency::kAuth, Dependency::kSubscription,
                                                Dependency::kRegistry, Dependency::kChat};

/// "auth", "subscription", "bot-registry", "channel-connector".
const char* dependency_name(Dependency dependency);

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
  /// Channel bindings, on chat_channel (dependency channel-connector); null in tests without it.
  std::unique_ptr<chat::v1::ChannelBindingService::StubInterface> channels;
  /// Rooms, on chat_channel (dependency channel-connector); null in tests without it.
  std::unique_ptr<chat::v1::RoomService::StubInterface> rooms;
  std::chrono::milliseconds timeout{5000};
  /// One breaker per Dependency (heap: Upstreams stays movable).
  std::unique_ptr<std::array<CircuitBreaker, 4>> breakers =
      std::make_unique<std::array<CircuitBreaker, 4>>();

  /// Channels to AUTH_ADDR, SUBSCRIPTION_ADDR, REGISTRY_ADDR, CHANNEL_ADDR (lazy: no I/O here).
  static Upstreams connect(const GatewaySettings& settings);

  /// Sets the per-call deadline (RPC_TIMEOUT_MS) on `context`.
  void prepare(grpc::ClientContext& context) const;

  /// One unary call of `method` on `stub` with the per-call deadline (prepare()); fills
  /// `response` and returns the status. While the upstream's breaker is open the call does not
  /// go out and the status is UNAVAILABLE "<name> is unavailable" at once; UNAVAILABLE and
  /// DEADLINE_EXCEEDED outcomes count towards opening it.
  template <typename Stub, typename Request, typename Response>
  grpc::Status call(Stub& stub, UnaryMethod<Stub, Request, Response> method,
                    const Request& request, Response& response) const {
    auto dependency = dependency_of(&stub);
    auto& breaker = (*breakers)[static_cast<std::size_t>(dependency)];
    if (!breaker.allow(CircuitBreaker::Clock::now())) return refused(dependency);
    grpc::ClientContext context;
    prepare(context);
    auto status = (stub.*method)(&context, request, &response);
    breaker.record(is_transport_failure(status), CircuitBreaker::Clock::now());
    return status;
  }

  /// Checks `dependency` with grpc.health.v1 Check (SERVING within `probe_timeout`) and feeds
  /// the result to its breaker. Blocking. Returns whether it served.
  bool probe(Dependency dependency, std::chrono::milliseconds probe_timeout) const;
  /// False while the dependency's breaker is open (recent failures or a failed probe).
  bool available(Dependency dependency) const;

 private:
  Dependency dependency_of(const void* stub) const;
  static grpc::Status refused(Dependency dependency);
  static bool is_transport_failure(const grpc::Status& status);
};

}  // namespace botfactory::gateway
