#pragma once
// gRPC adapter of the providers (botfactory.ai.v1.AiProxyService, sync API: Generate blocks on
// the registry call and the provider on one of gRPC's threads).

#include <memory>

#include "botfactory/ai/v1/ai.grpc.pb.h"
#include "provider.hpp"

namespace botfactory::ai {

/// Converts the request, resolves the provider by the bot's provider name (unknown ones fall
/// back to extractive), streams each delta as it comes and then exactly one final. Errors are
/// mapped once by rpc::guard(): NOT_FOUND from the registry passes through, UNAVAILABLE when a
/// dependency is unreachable, INVALID_ARGUMENT for a user_text over 4000 characters. Counts
/// replies in botfactory_ai_replies_total{provider,answered} and times them in
/// botfactory_ai_generate_seconds.
class AiProxyService final : public ai::v1::AiProxyService::Service {
 public:
  explicit AiProxyService(std::shared_ptr<ProviderRegistry> providers);

  grpc::Status Generate(grpc::ServerContext* context, const ai::v1::GenerateRequest* request,
                        grpc::ServerWriter<ai::v1::GenerateResponse>* writer) override;

 private:
  std::shared_ptr<ProviderRegistry> providers_;
};

/// The provider input of a request; language normalised to en|ru|uz (default en).
GenerateInput input_from_request(const ai::v1::GenerateRequest& request);

}  // namespace botfactory::ai
