#pragma once
// gRPC adapter of the providers (botfactory.ai.v1.AiProxyService) on gRPC's callback API: no
// gRPC thread waits while a model streams (docs/architecture.md, "ai-proxy").

#include <chrono>
#include <memory>

#include "botfactory/ai/v1/ai.grpc.pb.h"
#include "knowledge_search.hpp"
#include "model_config.hpp"
#include "provider.hpp"
#include "relevance_gate.hpp"
#include "worker_pool.hpp"

namespace botfactory::ai {

/// What the service answers with.
struct AiProxyDeps {
  /// extractive (the fallback) and the chat-model providers by name.
  std::shared_ptr<ProviderRegistry> providers;
  /// The bots' model configuration (null: every bot answers with the provider its request
  /// names, with the provider's default key — tests of the extractive path).
  std::shared_ptr<ModelConfigSource> configs;
  std::shared_ptr<KnowledgeSearch> search;
  /// The short blocking steps (registry calls, prompt, extractive answers).
  std::shared_ptr<WorkerPool> workers;
  GateSettings gate;  // the out-of-knowledge gate of the model path (relevance_gate.hpp)
  /// Time-window coalescing of deltas (AI_DELTA_FLUSH_MS; 0 = off): the first delta goes out at
  /// once, later text at most once per window (held on a grpc::Alarm), all of it before the final.
  std::chrono::milliseconds delta_flush{0};
};

/// Generate as a server-streaming reactor (grpc::ServerWriteReactor). Per call:
/// 1. On a worker (WorkerPool; full → RESOURCE_EXHAUSTED with a 1 s retry hint): tokens_exhausted
///    → extractive, fallback_reason "token_allowance_exhausted". Else, unless the request names
///    "extractive", the bot's ModelConfig (GetBotModelConfig): provider "extractive" →
///    extractive; no key (effective_answerer "extractive") → extractive, "no_key". Else
///    retrieval; a question that is not small talk and whose best chunk fails the relevance gate
///    gets the "I don't know" reply in the reply language without a model call (answered=false).
///    Else the prompt, and the provider's asynchronous reply stream starts.
/// 2. Model text is written as `delta` messages, coalesced: while a write is in flight new text
///    accumulates and goes out as one message when it completes; with `delta_flush` > 0 text
///    after the first delta is also held until `delta_flush` after the previous write started
///    (one grpc::Alarm per call, no thread), and flushed at once when the reply ends.
/// 3. The reply ends with one `final` (sources, model, usage, fallback_reason) sent with the
///    status. A model failure before any text, with the bot's fallback_to_extractive (default),
///    is answered by extractive with fallback_reason; without fallback, or after text went out,
///    the status of ModelFailure (RESOURCE_EXHAUSTED + RetryInfo for 429, FAILED_PRECONDITION
///    refused, UNAVAILABLE / DEADLINE_EXCEEDED down).
/// 4. The caller going away (OnCancel: the caller's TryCancel, its deadline, a cut connection)
///    cancels the outbound HTTP request at once: libcurl's easy handle leaves the multi handle
///    on the client's event thread, closing the provider's connection, and its buffers are freed
///    (http::Call::cancel). Counted in botfactory_ai_generate_cancelled_total.
/// Other errors: NOT_FOUND from the registry passes through, UNAVAILABLE when a dependency is
/// unreachable, INVALID_ARGUMENT for a user_text over 4000 characters. Metrics:
/// botfactory_ai_replies_total{provider,answered}, botfactory_ai_fallbacks_total{reason},
/// botfactory_ai_tokens_total{provider,kind}, botfactory_ai_generate_seconds,
/// botfactory_ai_generate_cancelled_total.
class AiProxyService final : public ai::v1::AiProxyService::CallbackService {
 public:
  explicit AiProxyService(AiProxyDeps deps);

  grpc::ServerWriteReactor<ai::v1::GenerateResponse>* Generate(grpc::CallbackServerContext* context,
                                                              const ai::v1::GenerateRequest* request) override;

 private:
  std::shared_ptr<const AiProxyDeps> deps_;
};

/// The provider input of a request; language normalised to en|ru|uz (default en).
GenerateInput input_from_request(const ai::v1::GenerateRequest& request);

}  // namespace botfactory::ai
