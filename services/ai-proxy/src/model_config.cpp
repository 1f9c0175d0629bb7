#include "model_config.hpp"

#include "botfactory/common/logging.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::ai {

GrpcModelConfigSource::GrpcModelConfigSource(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout)
    : channel_(std::move(channel)), timeout_(timeout) {}

ModelConfig GrpcModelConfigSource::model_config(const std::string& tenant_id, const std::string& bot_id) {
  auto stub = registry::v1::BotRegistryService::NewStub(channel_);
  grpc::ClientContext context;
  rpc::set_deadline(context, timeout_);
  registry::v1::GetBotModelConfigRequest request;
  request.set_tenant_id(tenant_id);
  request.set_bot_id(bot_id);
  registry::v1::BotModelConfig response;
  auto status = stub->GetBotModelConfig(&context, request, &response);
  if (!status.ok()) {
    auto code = status.error_code();
    if (code == grpc::StatusCode::NOT_FOUND || code == grpc::StatusCode::INVALID_ARGUMENT ||
        code == grpc::StatusCode::FAILED_PRECONDITION) {
      throw rpc::StatusError(code, status.error_message());
    }
    common::logger("models")->warn("GetBotModelConfig failed: code={} {}", static_cast<int>(code),
                                   common::json_escape(status.error_message()));
    throw rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "bot registry unavailable");
  }
  ModelConfig config;
  const auto& provider = response.provider();
  config.provider = provider.provider().empty() ? "extractive" : provider.provider();
  config.model = provider.model();
  config.temperature = provider.temperature();
  config.max_output_tokens = provider.max_output_tokens();
  config.fallback_to_extractive = !provider.has_fallback_to_extractive() || provider.fallback_to_extractive();
  config.effective_answerer = response.effective_answerer().empty() ? "extractive" : response.effective_answerer();
  config.api_key = response.api_key();
  config.base_url = response.base_url();
  return config;
}

}  // namespace botfactory::ai
