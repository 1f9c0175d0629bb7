// botfactory-subscription: wiring only. Settings come from the environment
// (docs/architecture.md).
#include <memory>

#include "billing_migrations.hpp"
#include "botfactory/rpc/service_main.hpp"
#include "subscription_grpc_service.hpp"
#include "subscription_manager.hpp"

int main(int argc, char** argv) {
  auto options = botfactory::rpc::ServiceOptions::standard(
      "subscription", "SUBSCRIPTION", 50052, 9102, "billing",
      &botfactory::migrations::billing_migrations());
  return botfactory::rpc::run_service(argc, argv, options, [](botfactory::rpc::ServiceContext& ctx) {
    auto manager = std::make_shared<botfactory::subscription::SubscriptionManager>(ctx.pool);
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(
        std::make_unique<botfactory::subscription::SubscriptionGrpcService>(manager));
    return services;
  });
}
