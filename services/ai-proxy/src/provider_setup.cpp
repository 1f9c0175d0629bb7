#include "provider_setup.hpp"

#include "botfactory/common/config.hpp"
#include "botfactory/common/logging.hpp"
#include "gemini_wire.hpp"
#include "openai_wire.hpp"

namespace botfactory::ai {
namespace {

std::string base_url_from_env(const char* name, const char* fallback) {
  auto url = common::env_string(name, fallback);
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw common::ConfigError(std::string(name) + " must start with http:// or https://");
  }
  return url;
}

std::chrono::milliseconds ms_from_env(const char* name, std::int64_t fallback) {
  return std::chrono::milliseconds(common::env_int(name, fallback, 1, 600000));
}

}  // namespace

http::ClientSettings http_settings_from_env() {
  http::ClientSettings settings;
  settings.max_concurrent = static_cast<std::size_t>(common::env_int("LLM_MAX_CONCURRENT_REQUESTS", 256, 1, 100000));
  settings.max_buffered_bytes = static_cast<std::size_t>(common::env_int("LLM_MAX_BUFFERED_BYTES", 262144, 1024, 64 << 20));
  return settings;
}

ChatModelSettings chat_settings_from_env() {
  ChatModelSettings settings;
  settings.connect_timeout = ms_from_env("LLM_CONNECT_TIMEOUT_MS", 5000);
  settings.first_token_timeout = ms_from_env("LLM_FIRST_TOKEN_TIMEOUT_MS", 15000);
  settings.total_timeout = ms_from_env("LLM_TIMEOUT_MS", 25000);
  settings.max_output_tokens = static_cast<int>(common::env_int("LLM_MAX_OUTPUT_TOKENS", 1024, 1, 65536));
  settings.top_k = static_cast<int>(common::env_int("LLM_TOP_K", 4, 1, 20));
  settings.retry.max_retries = static_cast<int>(common::env_int("LLM_RETRIES", 2, 0, 10));
  settings.retry.base_delay = ms_from_env("LLM_RETRY_BASE_MS", 200);
  settings.retry.max_delay = ms_from_env("LLM_RETRY_MAX_MS", 2000);
  settings.tenant_private_addresses = common::env_bool("LLM_TENANT_PRIVATE_ADDRESSES", false);
  return settings;
}

std::shared_ptr<ProviderBreakers> breakers_from_env() {
  common::CircuitBreaker::Options options;
  options.failure_threshold = static_cast<int>(common::env_int("LLM_BREAKER_FAILURES", 5, 1, 1000));
  options.open_for = ms_from_env("LLM_BREAKER_OPEN_MS", 10000);
  return std::make_shared<ProviderBreakers>(
      options, static_cast<std::size_t>(common::env_int("LLM_BREAKER_MAX_ENTRIES", 10000, 1, 1000000)));
}

void add_chat_model_providers(ProviderRegistry& registry, std::shared_ptr<http::Client> client,
                              std::shared_ptr<KnowledgeSearch> search, std::shared_ptr<ProviderBreakers> breakers) {
  auto shared = chat_settings_from_env();
  auto log = common::logger("providers");
  if (shared.tenant_private_addresses) {
    log->warn("LLM_TENANT_PRIVATE_ADDRESSES is on: tenants' own base URLs may reach private and loopback addresses");
  }
  struct Spec {
    const char* prefix;
    const char* default_base;
    const char* default_model;
    std::shared_ptr<const ChatWire> (*make)(std::string);
  };
  const Spec specs[] = {
      {"OPENAI", "https://api.openai.com", "gpt-4o-mini",
       [](std::string base) -> std::shared_ptr<const ChatWire> { return std::make_shared<OpenAiWire>(std::move(base)); }},
      {"GEMINI", "https://generativelanguage.googleapis.com", "gemini-2.0-flash",
       [](std::string base) -> std::shared_ptr<const ChatWire> { return std::make_shared<GeminiWire>(std::move(base)); }},
  };
  for (const auto& spec : specs) {
    std::string prefix = spec.prefix;
    auto settings = shared;
    auto base = base_url_from_env((prefix + "_BASE_URL").c_str(), spec.default_base);
    settings.default_model = common::env_string((prefix + "_MODEL").c_str(), spec.default_model);
    if (prefix == "GEMINI") settings.stream = common::env_bool("GEMINI_STREAM", true);
    auto wire = spec.make(base);
    log->info("provider {}: base {}, default model {}, {}; keys from bot-registry", wire->name(),
              common::json_escape(base), common::json_escape(settings.default_model),
              settings.stream ? "streaming" : "non-streaming");
    registry.add(std::make_shared<ChatModelProvider>(wire, client, search, settings, breakers));
  }
}

}  // namespace botfactory::ai
