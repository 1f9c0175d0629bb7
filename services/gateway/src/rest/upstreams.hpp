#pragma once
// gRPC clients of the services the gateway fronts. call() blocks: make it on the worker pool,
// never on an I/O thread; async_call() (gRPC's callback API) does not block and answers on a
// gRPC thread. Each upstream has a circuit breaker: a dead service costs a
// fast `unavailable`, not a deadline per request, and disables only the routes that call it.

#include <array>
#include <functional>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "botfactory/auth/v1/auth.grpc.pb.h"
#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/chat/v1/channels.grpc.pb.h"
#include "botfactory/chat/v1/chat.grpc.pb.h"
#include "botfactory/chat/v1/e2ee.grpc.pb.h"
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

/// The callback-API form of a unary method of a generated stub interface, e.g.
/// `&ChatRpc::async_interface::PostMessage`.
template <typename Stub, typename Request, typename Response>
using AsyncUnaryMethod = void (Stub::async_interface::*)(grpc::ClientContext*, const Request*,
                                                         Response*,
                                                         std::function<void(grpc::Status)>);

/// What one asynchronous unary call owns until its callback has returned: the context (its
/// deadline and metadata), the request and the response gRPC writes into.
template <typename Request, typename Response>
struct AsyncUnary {
  grpc::ClientContext context;
  Request request;
  Response response;
};

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
  /// End-to-end encrypted rooms' keys, on chat_channel; null in tests without it.
  std::unique_ptr<chat::v1::E2eeService::StubInterface> e2ee;
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

  /// The non-blocking call(): starts `method` of `stub` (gRPC's callback API) for
  /// `call->request` with the per-call deadline and the current thread's request id
  /// (prepare()), and returns. `done(status, *call)` runs once, on a gRPC thread when the answer
  /// came (never on the caller's thread, so it must not touch I/O objects: post to their
  /// executor), or inline when the breaker is open (UNAVAILABLE "<name> is unavailable"). The
  /// breaker counts the outcome like call(). `done` must be copyable; `call` lives until it ran.
  template <typename Stub, typename Request, typename Response, typename Done>
  void async_call(Stub& stub, AsyncUnaryMethod<Stub, Request, Response> method,
                  std::shared_ptr<AsyncUnary<Request, Response>> call, Done done) const {
    auto dependency = dependency_of(&stub);
    auto* breaker = &(*breakers)[static_cast<std::size_t>(dependency)];
    if (!breaker->allow(CircuitBreaker::Clock::now())) return done(refused(dependency), *call);
    prepare(call->context);
    auto* raw = call.get();
    (stub.async()->*method)(&raw->context, &raw->request, &raw->response,
                            [breaker, call = std::move(call), done = std::move(done)](
                                grpc::Status status) mutable {
                              breaker->record(is_transport_failure(status),
                                              CircuitBreaker::Clock::now());
                              done(status, *call);
                            });
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
