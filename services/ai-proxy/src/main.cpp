// botfactory-ai-proxy: answer generation behind one interface (gRPC AiProxyService). Wiring only.

#include <cstdlib>
#include <chrono>

#include "ai_service.hpp"
#include "botfactory/common/config.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/service_main.hpp"
#include "extractive_provider.hpp"
#include "knowledge_search.hpp"
#include "model_config.hpp"
#include "model_config_cache.hpp"
#include "worker_pool.hpp"
#include "provider.hpp"
#include "provider_setup.hpp"

int main(int argc, char** argv) {
  using namespace botfactory;
  auto options = rpc::ServiceOptions::standard("ai-proxy", "AI_PROXY", 50054, 9104);
  return rpc::run_service(argc, argv, options, [](rpc::ServiceContext&) {
    auto timeout = rpc::rpc_timeout_from_env();
    auto registry_channel = rpc::make_channel(common::env_string("REGISTRY_ADDR", "127.0.0.1:50053"));
    auto search = std::make_shared<ai::GrpcKnowledgeSearch>(registry_channel, timeout);
    // The extractive reply is known at once: by default it goes out as one delta, since every
    // streamed delta costs a gRPC write (~0.03 ms, bench/ai_proxy_overhead.cpp).
    ai::ExtractiveSettings extractive;
    extractive.words_per_delta =
        static_cast<std::size_t>(common::env_int("EXTRACTIVE_WORDS_PER_DELTA", 0, 0, 1000));
    // AI_GATE_MIN_SEMANTIC_SIMILARITY (default GateSettings' value; 0 = off; 0..1): a chunk the
    // registry's sentence-encoder re-rank scores at least this similar is answered although it
    // shares no word with the question.
    {
      const std::string raw = common::env_string("AI_GATE_MIN_SEMANTIC_SIMILARITY", "");
      if (!raw.empty()) {
        char* end = nullptr;
        double v = std::strtod(raw.c_str(), &end);
        if (end == raw.c_str() || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
          throw common::ConfigError("AI_GATE_MIN_SEMANTIC_SIMILARITY: a number in [0, 1] expected, got \"" + raw + "\"");
        }
        extractive.gate.min_semantic_similarity = v;
      }
    }
    auto providers = std::make_shared<ai::ProviderRegistry>(
        std::make_shared<ai::ExtractiveProvider>(search, extractive));
    // openai / gemini: one outbound HTTP client (one event thread) for every model request.
    auto http_client = std::make_shared<http::Client>(ai::http_settings_from_env());
    ai::add_chat_model_providers(*providers, http_client, search, ai::breakers_from_env());
    // Generate is served on gRPC's callback API; the short blocking steps (registry calls,
    // prompt, extractive answers) run on a small bounded pool.
    ai::AiProxyDeps deps;
    deps.providers = providers;
    // A bot's model configuration is reused for AI_MODEL_CONFIG_CACHE_MS: one registry round
    // trip less per reply; a key or provider change takes effect within that time.
    ai::ModelConfigCacheSettings cache;
    cache.ttl = std::chrono::milliseconds(common::env_int("AI_MODEL_CONFIG_CACHE_MS", 5000, 0, 3600000));
    cache.max_entries =
        static_cast<std::size_t>(common::env_int("AI_MODEL_CONFIG_CACHE_ENTRIES", 10000, 0, 1000000));
    deps.configs = ai::with_model_config_cache(
        std::make_shared<ai::GrpcModelConfigSource>(registry_channel, timeout), cache);
    // Streamed text after the first delta goes out at most once per AI_DELTA_FLUSH_MS.
    deps.delta_flush = std::chrono::milliseconds(common::env_int("AI_DELTA_FLUSH_MS", 25, 0, 1000));
    deps.search = search;
    deps.workers = std::make_shared<ai::WorkerPool>(
        static_cast<std::size_t>(common::env_int("AI_WORKERS", 4, 1, 256)),
        static_cast<std::size_t>(common::env_int("AI_WORKER_QUEUE", 256, 1, 100000)));
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<ai::AiProxyService>(std::move(deps)));
    return services;
  });
}
