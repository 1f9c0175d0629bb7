#include "rest/upstreams.hpp"

#include "botfactory/rpc/client.hpp"
#include "settings.hpp"

namespace botfactory::gateway {

const char* dependency_name(Dependency dependency) {
  switch (dependency) {
    case Dependency::kAuth: return "auth";
    case Dependency::kSubscription: return "subscription";
    case Dependency::kRegistry: return "bot-registry";
    case Dependency::kChat: return "channel-connector";
  }
  return "unknown";
}

Upstreams Upstreams::connect(const GatewaySettings& settings) {
  Upstreams u;
  u.auth_channel = rpc::make_channel(settings.auth_addr);
  u.subscription_channel = rpc::make_channel(settings.subscription_addr);
  u.registry_channel = rpc::make_channel(settings.registry_addr);
  u.chat_channel = rpc::make_channel(settings.channel_addr);
  u.auth = auth::v1::AuthService::NewStub(u.auth_channel);
  u.subscription = billing::v1::SubscriptionService::NewStub(u.subscription_channel);
  u.registry = registry::v1::BotRegistryService::NewStub(u.registry_channel);
  u.chat = chat::v1::ChannelConnectorService::NewStub(u.chat_channel);
  u.channels = chat::v1::ChannelBindingService::NewStub(u.chat_channel);
  u.rooms = chat::v1::RoomService::NewStub(u.chat_channel);
  u.e2ee = chat::v1::E2eeService::NewStub(u.chat_channel);
  u.timeout = settings.rpc_timeout;
  return u;
}

void Upstreams::prepare(grpc::ClientContext& context) const { rpc::set_deadline(context, timeout); }

bool Upstreams::probe(Dependency dependency, std::chrono::milliseconds probe_timeout) const {
  const std::shared_ptr<grpc::Channel>* channel = nullptr;
  switch (dependency) {
    case Dependency::kAuth: channel = &auth_channel; break;
    case Dependency::kSubscription: channel = &subscription_channel; break;
    case Dependency::kRegistry: channel = &registry_channel; break;
    case Dependency::kChat: channel = &chat_channel; break;
  }
  bool serving = channel && *channel && rpc::is_serving(*channel, probe_timeout);
  (*breakers)[static_cast<std::size_t>(dependency)].probe(serving, CircuitBreaker::Clock::now());
  return serving;
}

bool Upstreams::available(Dependency dependency) const {
  return (*breakers)[static_cast<std::size_t>(dependency)].up();
}

Dependency Upstreams::dependency_of(const void* stub) const {
  if (stub == static_cast<const void*>(auth.get())) return Dependency::kAuth;
  if (stub == static_cast<const void*>(subscription.get())) return Dependency::kSubscription;
  if (stub == static_cast<const void*>(registry.get())) return Dependency::kRegistry;
  return Dependency::kChat;
}

grpc::Status Upstreams::refused(Dependency dependency) {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      std::string(dependency_name(dependency)) + " is unavailable");
}

bool Upstreams::is_transport_failure(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

}  // namespace botfactory::gateway
