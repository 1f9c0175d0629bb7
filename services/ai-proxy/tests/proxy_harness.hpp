#pragma once
// ai-proxy for tests: the real AiProxyService (extractive provider, knowledge from a
// BotRegistryService at a given address) on a real gRPC server bound to 127.0.0.1:0, and a
// client that collects one streamed Generate call.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ai_service.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/server.hpp"
#include "extractive_provider.hpp"
#include "knowledge_search.hpp"
#include "model_config.hpp"
#include "worker_pool.hpp"

namespace botfactory::ai::test {

/// Everything one Generate call streamed, in order, and how it ended.
struct GenerateResult {
  grpc::Status status;
  std::vector<std::string> deltas;
  std::vector<ai::v1::FinalReply> finals;
  bool final_was_last = true;  ///< false when anything came after a final

  /// The deltas concatenated: the reply text as the visitor saw it grow.
  std::string joined_deltas() const {
    std::string joined;
    for (const auto& d : deltas) joined += d;
    return joined;
  }
  /// The last final reply; an empty one when none came.
  const ai::v1::FinalReply& final_reply() const {
    return finals.empty() ? ai::v1::FinalReply::default_instance() : finals.back();
  }
};

/// ai-proxy wired to a registry at `registry_address` (knowledge and, with `use_model_config`,
/// GetBotModelConfig), served on 127.0.0.1:0. Providers may be added before the first call.
struct ProxyHarness {
  static constexpr auto kTimeout = std::chrono::milliseconds(5000);

  std::shared_ptr<KnowledgeSearch> search;
  std::shared_ptr<ProviderRegistry> providers;
  std::shared_ptr<WorkerPool> workers;
  std::unique_ptr<AiProxyService> service;
  std::unique_ptr<rpc::Server> server;
  std::unique_ptr<ai::v1::AiProxyService::Stub> stub;

  explicit ProxyHarness(const std::string& registry_address, bool use_model_config = false, std::size_t workers = 2,
                        std::size_t queue = 64, std::chrono::milliseconds delta_flush = {})
      : search(std::make_shared<GrpcKnowledgeSearch>(rpc::make_channel(registry_address), kTimeout)),
        providers(std::make_shared<ProviderRegistry>(std::make_shared<ExtractiveProvider>(search))) {
    AiProxyDeps deps;
    deps.providers = providers;
    if (use_model_config) {
      deps.configs = std::make_shared<GrpcModelConfigSource>(rpc::make_channel(registry_address), kTimeout);
    }
    deps.search = search;
    deps.delta_flush = delta_flush;
    this->workers = std::make_shared<WorkerPool>(workers, queue);
    deps.workers = this->workers;
    service = std::make_unique<AiProxyService>(std::move(deps));
    server = std::make_unique<rpc::Server>("127.0.0.1:0", std::vector<grpc::Service*>{service.get()});
    stub = ai::v1::AiProxyService::NewStub(rpc::make_channel(address()));
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(server->port()); }

  /// Calls Generate with a kTimeout deadline and reads the stream to its end.
  GenerateResult generate(const ai::v1::GenerateRequest& request) {
    grpc::ClientContext context;
    rpc::set_deadline(context, kTimeout);
    auto reader = stub->Generate(&context, request);
    GenerateResult result;
    ai::v1::GenerateResponse event;
    while (reader->Read(&event)) {
      if (!result.finals.empty()) result.final_was_last = false;
      if (event.has_final()) {
        result.finals.push_back(event.final());
      } else {
        result.deltas.push_back(event.delta());
      }
    }
    result.status = reader->Finish();
    return result;
  }
};

}  // namespace botfactory::ai::test
