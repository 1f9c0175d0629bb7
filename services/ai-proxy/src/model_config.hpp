#pragma once
// A bot's model configuration as bot-registry decides it (BotRegistryService.GetBotModelConfig):
// provider, model, limits, fallback and the key to answer with (the tenant's own, else the
// platform's; docs/architecture.md "Provider keys").

#include <chrono>
#include <memory>
#include <string>

namespace grpc {
class Channel;
}

namespace botfactory::ai {

/// registry.v1.BotModelConfig. Holds a decrypted key: never log it.
struct ModelConfig {
  std::string provider = "extractive";  // what the bot asks for
  std::string model;                     // "" = the provider's default
  double temperature = 0.3;
  int max_output_tokens = 0;             // 0 = default
  bool fallback_to_extractive = true;
  /// provider when a key (tenant's or platform's) is configured, else "extractive".
  std::string effective_answerer = "extractive";
  std::string api_key;   // may be empty for a keyless self-hosted platform server
  std::string base_url;  // "" = ai-proxy's configured base URL for the provider
};

/// Where ai-proxy learns a bot's model configuration. Thread-safe. Throws rpc::StatusError:
/// NOT_FOUND (no such bot for the tenant), FAILED_PRECONDITION (a stored key cannot be opened),
/// UNAVAILABLE (the registry cannot be reached).
class ModelConfigSource {
 public:
  virtual ~ModelConfigSource() = default;
  virtual ModelConfig model_config(const std::string& tenant_id, const std::string& bot_id) = 0;
};

/// GetBotModelConfig over gRPC, each call with a deadline of `timeout` (never past the current
/// call's, rpc::set_deadline). NOT_FOUND / INVALID_ARGUMENT / FAILED_PRECONDITION pass through
/// with the registry's message; other failures are UNAVAILABLE "bot registry unavailable".
class GrpcModelConfigSource : public ModelConfigSource {
 public:
  GrpcModelConfigSource(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  ModelConfig model_config(const std::string& tenant_id, const std::string& bot_id) override;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::chrono::milliseconds timeout_;
};

}  // namespace botfactory::ai
