#pragma once
// The pipeline ports over gRPC: bot-registry GetBot, subscription ConsumeQuota and
// RecordTokenUsage, ai-proxy Generate.
// Every call has a deadline; failures become rpc::StatusError.

#include <chrono>
#include <memory>
#include <string>

#include "botfactory/ai/v1/ai.grpc.pb.h"
#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "pipeline/pipeline_ports.hpp"

namespace botfactory::channel {

/// BotDirectory over registry.v1 GetBot. NOT_FOUND passes through ("bot not found"); any other
/// failure becomes UNAVAILABLE ("bot registry unavailable"), details logged.
class RegistryBotDirectory : public BotDirectory {
 public:
  RegistryBotDirectory(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  BotProfile get_bot(const std::string& tenant_id, const std::string& bot_id) override;

 private:
  std::unique_ptr<registry::v1::BotRegistryService::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

/// QuotaGate over billing.v1 ConsumeQuota(RESOURCE_BOT_REPLIES, 1): RESOURCE_EXHAUSTED = not
/// granted; the response's tokens_used/tokens_limit are passed on; other failures become
/// UNAVAILABLE.
class SubscriptionQuotaGate : public QuotaGate {
 public:
  SubscriptionQuotaGate(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  QuotaGrant consume_bot_reply(const std::string& tenant_id) override;

 private:
  std::unique_ptr<billing::v1::SubscriptionService::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

/// TokenMeter over billing.v1 RecordTokenUsage; a failure is thrown with the call's own code
/// (UNIMPLEMENTED from a subscription that does not serve it yet) and message.
class SubscriptionTokenMeter : public TokenMeter {
 public:
  SubscriptionTokenMeter(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  bool record_token_usage(const TokenUsageRecord& usage) override;

 private:
  std::unique_ptr<billing::v1::SubscriptionService::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

/// ReplyGenerator over the ai.v1 Generate server stream; `timeout` bounds the whole stream.
/// RESOURCE_EXHAUSTED (the provider's rate limit or quota) is thrown with its code and error
/// details (the RetryInfo hint); every other failure becomes UNAVAILABLE, details logged.
class AiProxyReplyGenerator : public ReplyGenerator {
 public:
  AiProxyReplyGenerator(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  GeneratedReply generate(const GenerateInput& input,
                          const std::function<void(std::string_view delta)>& on_delta) override;

 private:
  std::unique_ptr<ai::v1::AiProxyService::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

}  // namespace botfactory::channel
