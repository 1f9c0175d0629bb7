// botfactory-ai-proxy: answer generation behind one interface (gRPC AiProxyService). Wiring only.

#include <chrono>

#include "ai_service.hpp"
#include "botfactory/common/config.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/service_main.hpp"
#include "extractive_provider.hpp"
#include "knowledge_search.hpp"
#include "provider.hpp"

int main(int argc, char** argv) {
  using namespace botfactory;
  rpc::ServiceOptions options;
  options.name = "ai-proxy";
  options.grpc_listen_env = "AI_PROXY_GRPC_LISTEN";
  options.default_grpc_listen = "127.0.0.1:50054";
  options.metrics_listen_env = "AI_PROXY_METRICS_LISTEN";
  options.default_metrics_listen = "127.0.0.1:9104";
  options.schema = "";  // owns no database
  return rpc::run_service(argc, argv, options, [](rpc::ServiceContext&) {
    auto timeout = std::chrono::milliseconds(common::env_int("RPC_TIMEOUT_MS", 5000, 1, 600000));
    auto search = std::make_shared<ai::GrpcKnowledgeSearch>(
        rpc::make_channel(common::env_string("REGISTRY_ADDR", "127.0.0.1:50053")), timeout);
    auto providers = std::make_shared<ai::ProviderRegistry>(std::make_shared<ai::ExtractiveProvider>(search));
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<ai::AiProxyService>(providers));
    return services;
  });
}
