#include "pipeline/grpc_clients.hpp"

#include "botfactory/common/logging.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::channel {
namespace {

[[noreturn]] void throw_unavailable(const char* what, const grpc::Status& status) {
  common::logger("clients")->warn("{} failed: code={} {}", what, static_cast<int>(status.error_code()),
                                  common::json_escape(status.error_message()));
  throw rpc::StatusError(grpc::StatusCode::UNAVAILABLE, std::string(what) + " unavailable");
}

}  // namespace

RegistryBotDirectory::RegistryBotDirectory(std::shared_ptr<grpc::Channel> channel,
                                           std::chrono::milliseconds timeout)
    : stub_(registry::v1::BotRegistryService::NewStub(channel)), timeout_(timeout) {}

BotProfile RegistryBotDirectory::get_bot(const std::string& tenant_id, const std::string& bot_id) {
  grpc::ClientContext context;
  rpc::set_deadline(context, timeout_);
  registry::v1::GetBotRequest request;
  request.set_tenant_id(tenant_id);
  request.set_bot_id(bot_id);
  registry::v1::Bot bot;
  auto status = stub_->GetBot(&context, request, &bot);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) rpc::throw_not_found("bot not found");
  if (!status.ok()) throw_unavailable("bot registry", status);
  BotProfile profile;
  profile.id = bot.id();
  profile.tenant_id = bot.tenant_id();
  profile.name = bot.name();
  profile.language = bot.language();
  profile.greeting = bot.greeting();
  profile.instructions = bot.instructions();
  profile.provider = bot.provider().provider();
  profile.model = bot.provider().model();
  profile.temperature = bot.provider().temperature();
  return profile;
}

SubscriptionQuotaGate::SubscriptionQuotaGate(std::shared_ptr<grpc::Channel> channel,
                                             std::chrono::milliseconds timeout)
    : stub_(billing::v1::SubscriptionService::NewStub(channel)), timeout_(timeout) {}

QuotaGrant SubscriptionQuotaGate::consume_bot_reply(const std::string& tenant_id) {
  grpc::ClientContext context;
  rpc::set_deadline(context, timeout_);
  billing::v1::ConsumeQuotaRequest request;
  request.set_tenant_id(tenant_id);
  request.set_resource(billing::v1::RESOURCE_BOT_REPLIES);
  request.set_amount(1);
  billing::v1::ConsumeQuotaResponse response;
  auto status = stub_->ConsumeQuota(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) return QuotaGrant{};
  if (!status.ok()) throw_unavailable("subscription", status);
  return QuotaGrant{true, response.tokens_used(), response.tokens_limit()};
}

SubscriptionTokenMeter::SubscriptionTokenMeter(std::shared_ptr<grpc::Channel> channel,
                                               std::chrono::milliseconds timeout)
    : stub_(billing::v1::SubscriptionService::NewStub(channel)), timeout_(timeout) {}

bool SubscriptionTokenMeter::record_token_usage(const TokenUsageRecord& usage) {
  grpc::ClientContext context;
  rpc::set_deadline(context, timeout_);
  billing::v1::RecordTokenUsageRequest request;
  request.set_tenant_id(usage.tenant_id);
  request.set_bot_id(usage.bot_id);
  request.set_reply_id(usage.reply_id);
  request.set_provider(usage.provider);
  request.set_model(usage.model);
  request.set_prompt_tokens(usage.prompt_tokens);
  request.set_completion_tokens(usage.completion_tokens);
  billing::v1::RecordTokenUsageResponse response;
  auto status = stub_->RecordTokenUsage(&context, request, &response);
  if (!status.ok()) throw rpc::StatusError(status.error_code(), status.error_message());
  return response.duplicate();
}

AiProxyReplyGenerator::AiProxyReplyGenerator(std::shared_ptr<grpc::Channel> channel,
                                             std::chrono::milliseconds timeout)
    : stub_(ai::v1::AiProxyService::NewStub(channel)), timeout_(timeout) {}

GeneratedReply AiProxyReplyGenerator::generate(
    const GenerateInput& input, const std::function<void(std::string_view delta)>& on_delta) {
  ai::v1::GenerateRequest request;
  request.set_tenant_id(input.tenant_id);
  request.set_bot_id(input.bot_id);
  request.set_conversation_id(input.conversation_id);
  request.set_language(input.language);
  request.set_instructions(input.instructions);
  auto* provider = request.mutable_provider();
  provider->set_provider(input.provider);
  provider->set_model(input.model);
  provider->set_temperature(input.temperature);
  for (const auto& turn : input.history) {
    auto* t = request.add_history();
    t->set_sender(turn.sender);
    t->set_text(turn.text);
  }
  request.set_user_text(input.user_text);
  request.set_tokens_exhausted(input.tokens_exhausted);

  grpc::ClientContext context;
  rpc::set_deadline(context, timeout_);
  auto reader = stub_->Generate(&context, request);
  ai::v1::GenerateResponse event;
  GeneratedReply reply;
  bool has_final = false;
  try {
    while (reader->Read(&event)) {
      if (event.has_final()) {
        auto& done = *event.mutable_final();
        reply.text = std::move(*done.mutable_text());
        reply.sources.reserve(static_cast<std::size_t>(done.sources_size()));
        for (auto& s : *done.mutable_sources()) {
          reply.sources.push_back(ReplySource{std::move(*s.mutable_document_id()),
                                              std::move(*s.mutable_document_title()),
                                              std::move(*s.mutable_chunk_id())});
        }
        reply.provider = done.provider();
        reply.model = done.model();
        reply.prompt_tokens = done.usage().prompt_tokens();
        reply.completion_tokens = done.usage().completion_tokens();
        reply.fallback_reason = done.fallback_reason();
        reply.answered = done.answered();
        has_final = true;
      } else if (event.event_case() == ai::v1::GenerateResponse::kDelta && !has_final) {
        on_delta(event.delta());
      }
    }
  } catch (...) {
    context.TryCancel();
    reader->Finish();
    throw;
  }
  auto status = reader->Finish();
  if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    throw rpc::StatusError(status.error_code(), "model provider busy: " + status.error_message(),
                           status.error_details());
  }
  if (!status.ok()) throw_unavailable("ai-proxy", status);
  if (!has_final) {
    throw rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "ai-proxy ended without a final reply");
  }
  return reply;
}

}  // namespace botfactory::channel
