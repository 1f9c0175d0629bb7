#pragma once
// The platform's own provider keys (the operator's OpenAI / Gemini accounts, from the
// environment): a bot whose tenant has no key of its own answers with them. bot-registry is the
// only service that reads them, so the dashboard's effective_answerer and ai-proxy's
// GetBotModelConfig agree (docs/architecture.md, "Provider keys").

#include <map>
#include <string>
#include <string_view>

namespace botfactory::registry {

/// One provider as the platform configured it. `api_key` may be empty for a self-hosted
/// OpenAI-compatible server that needs none. Holds a secret: never log it.
struct PlatformKey {
  std::string api_key;
  std::string base_url;  // as configured ("" = the provider's public endpoint)
};

/// The platform keys by provider name ("openai", "gemini"). Immutable after start-up; thread-safe.
class PlatformKeys {
 public:
  /// Reads OPENAI_API_KEY / OPENAI_BASE_URL and GEMINI_API_KEY / GEMINI_BASE_URL. A provider
  /// counts as configured when its key is set, or when its base URL is set to anything but the
  /// public endpoint (https://api.openai.com, https://generativelanguage.googleapis.com): a
  /// self-hosted OpenAI-compatible server (llama.cpp, vLLM, Ollama) that needs no key. Logs
  /// which providers are configured, never a key.
  static PlatformKeys from_env();

  /// Sets `provider`'s platform key (start-up and tests).
  void set(const std::string& provider, PlatformKey key) { keys_[provider] = std::move(key); }
  /// The platform key of `provider`, nullptr when the platform has none.
  const PlatformKey* find(std::string_view provider) const {
    auto it = keys_.find(provider);
    return it == keys_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, PlatformKey, std::less<>> keys_;
};

}  // namespace botfactory::registry
