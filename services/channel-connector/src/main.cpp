// botfactory-channel-connector: conversations, messages and the bot pipeline (wiring only).

#include <memory>

#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/service_main.hpp"
#include "canned/canned_grpc_service.hpp"
#include "webhooks/webhook_dispatcher.hpp"
#include "webhooks/webhook_grpc_service.hpp"
#include "channel_app.hpp"
#include "chat/model_status.hpp"
#include "channels/channel_binding_grpc_service.hpp"
#include "e2ee/e2ee_grpc_service.hpp"
#include "rooms/room_grpc_service.hpp"
#include "channels/channel_deliveries.hpp"
#include "channels/channel_credentials.hpp"
#include "chat/channel_grpc_service.hpp"
#include "migrations.hpp"
#include "settings.hpp"

int main(int argc, char** argv) {
  using namespace botfactory;
  auto options = rpc::ServiceOptions::standard("channel-connector", "CHANNEL", 50055, 9105, "chat",
                                               &migrations::chat_migrations());

  options.secrets = {channel::kChannelCredentialsSecretEnv, channel::kWebhookSecretsKeyEnv};
  // Decoded before the database is touched: a bad key fails start-up at once.
  std::shared_ptr<const crypto::SecretBox> box;
  std::shared_ptr<const crypto::SecretBox> webhook_box;  // hooksec
  options.startup_check = [&box, &webhook_box] {
    box = crypto::SecretBox::from_env(channel::kChannelCredentialsSecretEnv);
    webhook_box = crypto::SecretBox::from_env(channel::kWebhookSecretsKeyEnv);
  };
  // Outlives the gRPC server that run_service() stops before returning, so no RPC and no pipeline
  // job runs against a destroyed object.
  std::unique_ptr<channel::ChannelApp> app;
  return rpc::run_service(argc, argv, options, [&](rpc::ServiceContext& context) {
    auto settings = channel::settings_from_env();
    settings.webhook_secrets = webhook_box;
    app = std::make_unique<channel::ChannelApp>(
        context.pool, settings, metrics::Registry::global(), box,
        channel::binding_settings_from_env(settings.ai_timeout));
    std::vector<std::unique_ptr<grpc::Service>> services;
    auto chat_grpc = std::make_unique<channel::ChannelConnectorGrpc>(app->chat(), &app->model_status(),
                                                                     &app->edits());
    chat_grpc->set_attachments(&app->attachments());  // files
    chat_grpc->set_unanswered(&app->unanswered());  // unanswered questions
    chat_grpc->set_feedback(&app->feedback());  // answer feedback
    services.push_back(std::move(chat_grpc));
    services.push_back(std::make_unique<channel::ChannelBindingGrpc>(app->bindings(), &app->deliveries()));
    services.push_back(std::make_unique<channel::RoomGrpc>(app->rooms()));
    services.push_back(std::make_unique<channel::E2eeGrpc>(app->e2ee()));  // e2ee rooms
    services.push_back(std::make_unique<channel::CannedGrpc>(app->canned()));  // saved replies
    services.push_back(std::make_unique<channel::WebhookGrpc>(  // hooks: outgoing webhooks
        app->webhooks(), [d = &app->webhook_dispatcher()] { d->wake(); }));
    return services;
  });
}
