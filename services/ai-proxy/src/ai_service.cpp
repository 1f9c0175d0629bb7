#include "ai_service.hpp"

#include <chrono>

#include "botfactory/common/text.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::ai {
namespace {

constexpr std::size_t kMaxUserTextChars = 4000;

Sender sender_from(common::v1::SenderKind kind) {
  switch (kind) {
    case common::v1::SENDER_KIND_BOT:
      return Sender::kBot;
    case common::v1::SENDER_KIND_OPERATOR:
      return Sender::kOperator;
    default:
      return Sender::kVisitor;
  }
}

}  // namespace

GenerateInput input_from_request(const ai::v1::GenerateRequest& request) {
  GenerateInput input;
  input.tenant_id = request.tenant_id();
  input.bot_id = request.bot_id();
  input.conversation_id = request.conversation_id();
  const auto& language = request.language();
  input.language = (language == "ru" || language == "uz") ? language : "en";
  input.instructions = request.instructions();
  input.provider = request.provider().provider();
  input.model = request.provider().model();
  input.temperature = request.provider().temperature();
  input.history.reserve(static_cast<std::size_t>(request.history_size()));
  for (const auto& turn : request.history()) input.history.push_back({sender_from(turn.sender()), turn.text()});
  input.user_text = request.user_text();
  return input;
}

AiProxyService::AiProxyService(std::shared_ptr<ProviderRegistry> providers)
    : providers_(std::move(providers)) {}

grpc::Status AiProxyService::Generate(grpc::ServerContext* context,
                                      const ai::v1::GenerateRequest* request,
                                      grpc::ServerWriter<ai::v1::GenerateResponse>* writer) {
  auto started = std::chrono::steady_clock::now();
  return rpc::guard("Generate", [&] {
    if (common::utf8_length(request->user_text()) > kMaxUserTextChars) {
      rpc::throw_invalid("user_text must be at most 4000 characters");
    }
    auto input = input_from_request(*request);
    input.is_cancelled = [context] { return context->IsCancelled(); };
    auto& provider = providers_->resolve(input);
    bool open = true;
    ai::v1::GenerateResponse event;
    FinalReply reply;
    provider.generate(
        input,
        [&](std::string_view delta) {
          if (!open || context->IsCancelled()) return open = false;
          event.set_delta(std::string(delta));
          open = writer->Write(event);
          return open;
        },
        reply);
    if (!open) throw rpc::StatusError(grpc::StatusCode::CANCELLED, "client went away");
    auto* final_reply = event.mutable_final();
    final_reply->set_text(reply.text);
    final_reply->set_provider(reply.provider);
    final_reply->set_answered(reply.answered);
    for (const auto& source : reply.sources) {
      auto* s = final_reply->add_sources();
      s->set_document_id(source.document_id);
      s->set_document_title(source.document_title);
      s->set_chunk_id(source.chunk_id);
      s->set_score(source.score);
    }
    // The final reply travels with the call's status: one transport write less.
    writer->WriteLast(event, grpc::WriteOptions());

    auto& registry = metrics::Registry::global();
    registry
        .counter("botfactory_ai_replies_total", "Generated replies by provider and outcome",
                 "provider=\"" + reply.provider + "\",answered=\"" + (reply.answered ? "true" : "false") + "\"")
        .inc();
    if (reply.usage.prompt_tokens > 0 || reply.usage.completion_tokens > 0) {
      auto& tokens = registry.counter("botfactory_ai_tokens_total", "Model tokens by provider and kind",
                                      "provider=\"" + reply.provider + "\",kind=\"prompt\"");
      tokens.inc(static_cast<std::uint64_t>(reply.usage.prompt_tokens));
      registry
          .counter("botfactory_ai_tokens_total", "Model tokens by provider and kind",
                   "provider=\"" + reply.provider + "\",kind=\"completion\"")
          .inc(static_cast<std::uint64_t>(reply.usage.completion_tokens));
    }
    registry
        .histogram("botfactory_ai_generate_seconds", "Generate latency in seconds (whole stream)",
                   metrics::latency_buckets())
        .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  });
}

}  // namespace botfactory::ai
