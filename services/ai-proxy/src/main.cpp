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
  auto options = rpc::ServiceOptions::standard("ai-proxy", "AI_PROXY", 50054, 9104);
  return rpc::run_service(argc, argv, options, [](rpc::ServiceContext&) {
    auto timeout = rpc::rpc_timeout_from_env();
    auto search = std::make_shared<ai::GrpcKnowledgeSearch>(
        rpc::make_channel(common::env_string("REGISTRY_ADDR", "127.0.0.1:50053")), timeout);
    auto providers = std::make_shared<ai::ProviderRegistry>(std::make_shared<ai::ExtractiveProvider>(search));
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<ai::AiProxyService>(providers));
    return services;
  });
}
