#pragma once
// The chat-model providers ai-proxy offers, configured from the environment.

#include <memory>

#include "botfactory/http_client/http_client.hpp"
#include "chat_model_provider.hpp"
#include "knowledge_search.hpp"
#include "provider.hpp"

namespace botfactory::ai {

/// The shared outbound client's bounds: LLM_MAX_CONCURRENT_REQUESTS (256) requests in flight,
/// LLM_MAX_BUFFERED_BYTES (262144) body bytes held per reply. Throws common::ConfigError.
http::ClientSettings http_settings_from_env();

/// Settings shared by both providers: LLM_CONNECT_TIMEOUT_MS (5000), LLM_FIRST_TOKEN_TIMEOUT_MS
/// (15000), LLM_TIMEOUT_MS (25000, retries included; below channel-connector's AI_TIMEOUT_MS),
/// LLM_MAX_OUTPUT_TOKENS (1024), LLM_TOP_K (4), LLM_RETRIES (2), LLM_RETRY_BASE_MS (200),
/// LLM_RETRY_MAX_MS (2000). Throws common::ConfigError for values out of range.
ChatModelSettings chat_settings_from_env();

/// The circuit breakers per provider and key: LLM_BREAKER_FAILURES (5) consecutive failures
/// open one for LLM_BREAKER_OPEN_MS (10000); at most LLM_BREAKER_MAX_ENTRIES (10000).
std::shared_ptr<ProviderBreakers> breakers_from_env();

/// Registers `openai` (OPENAI_BASE_URL default https://api.openai.com, OPENAI_MODEL default
/// gpt-4o-mini) and `gemini` (GEMINI_BASE_URL default https://generativelanguage.googleapis.com,
/// GEMINI_MODEL default gemini-2.0-flash, GEMINI_STREAM default true: false = the
/// non-streaming generateContent) on `client`. Keys do not come from here: bot-registry's
/// GetBotModelConfig gives each request the tenant's or the platform's key (OPENAI_API_KEY /
/// GEMINI_API_KEY are read by bot-registry). Throws common::ConfigError for a base URL that is
/// not http(s)://.
void add_chat_model_providers(ProviderRegistry& registry, std::shared_ptr<http::Client> client,
                              std::shared_ptr<KnowledgeSearch> search,
                              std::shared_ptr<ProviderBreakers> breakers = nullptr);

}  // namespace botfactory::ai
