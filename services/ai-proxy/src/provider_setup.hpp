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
/// (15000), LLM_TIMEOUT_MS (25000; below channel-connector's AI_TIMEOUT_MS), LLM_MAX_OUTPUT_TOKENS
/// (1024), LLM_TOP_K (4). Throws common::ConfigError for values out of range.
ChatModelSettings chat_settings_from_env();

/// Registers `openai` (OPENAI_BASE_URL default https://api.openai.com, OPENAI_MODEL default
/// gpt-4o-mini, OPENAI_API_KEY) and `gemini` (GEMINI_BASE_URL default
/// https://generativelanguage.googleapis.com, GEMINI_MODEL default gemini-2.0-flash,
/// GEMINI_API_KEY) on `client`. Both are registered even without a key: a request that brings
/// its own key can use them; without any key the registry falls back to extractive. Logs
/// whether a key is configured, never the key. Throws common::ConfigError for a base URL that
/// is not http(s)://.
void add_chat_model_providers(ProviderRegistry& registry, std::shared_ptr<http::Client> client,
                              std::shared_ptr<KnowledgeSearch> search);

}  // namespace botfactory::ai
