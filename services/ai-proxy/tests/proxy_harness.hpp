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

/// ai-proxy wired to a registry at `registry_address`, served on 127.0.0.1:0.
struct ProxyHarness {
  static constexpr auto kTimeout = std::chrono::milliseconds(5000);

  std::shared_ptr<ProviderRegistry> providers;
  AiProxyService service;
  rpc::Server server;
  std::unique_ptr<ai::v1::AiProxyService::Stub> stub;

  explicit ProxyHarness(const std::string& registry_address)
      : providers(std::make_shared<ProviderRegistry>(std::make_shared<ExtractiveProvider>(
            std::make_shared<GrpcKnowledgeSearch>(rpc::make_channel(registry_address), kTimeout)))),
        service(providers),
        server("127.0.0.1:0", {&service}),
        stub(ai::v1::AiProxyService::NewStub(rpc::make_channel("127.0.0.1:" + std::to_string(server.port())))) {}

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
