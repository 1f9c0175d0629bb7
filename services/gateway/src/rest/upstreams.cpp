#include "rest/upstreams.hpp"

#include "botfactory/rpc/client.hpp"
#include "settings.hpp"

namespace botfactory::gateway {

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
  u.timeout = settings.rpc_timeout;
  return u;
}

void Upstreams::prepare(grpc::ClientContext& context) const { rpc::set_deadline(context, timeout); }

std::vector<std::string> Upstreams::unhealthy(std::chrono::milliseconds check_timeout) const {
  std::vector<std::string> failed;
  const std::pair<const char*, const std::shared_ptr<grpc::Channel>*> all[] = {
      {"auth", &auth_channel},
      {"subscription", &subscription_channel},
      {"bot-registry", &registry_channel},
      {"channel-connector", &chat_channel}};
  for (const auto& [name, channel] : all) {
    if (!*channel || !rpc::is_serving(*channel, check_timeout)) failed.emplace_back(name);
  }
  return failed;
}

}  // namespace botfactory::gateway
