#include "platform_keys.hpp"

#include "botfactory/common/config.hpp"
#include "botfactory/common/logging.hpp"

namespace botfactory::registry {

PlatformKeys PlatformKeys::from_env() {
  struct Spec {
    const char* provider;
    const char* key_env;
    const char* base_env;
    const char* public_base;
  };
  const Spec specs[] = {
      {"openai", "OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com"},
      {"gemini", "GEMINI_API_KEY", "GEMINI_BASE_URL", "https://generativelanguage.googleapis.com"},
  };
  PlatformKeys keys;
  auto log = common::logger("registry");
  for (const auto& spec : specs) {
    PlatformKey key{common::env_string(spec.key_env, ""), common::env_string(spec.base_env, "")};
    while (!key.base_url.empty() && key.base_url.back() == '/') key.base_url.pop_back();
    bool self_hosted = !key.base_url.empty() && key.base_url != spec.public_base;
    bool configured = !key.api_key.empty() || self_hosted;
    log->info("platform {} key: {}", spec.provider,
              !key.api_key.empty() ? "set" : (self_hosted ? "none (self-hosted base URL)" : "none"));
    if (configured) keys.set(spec.provider, std::move(key));
  }
  return keys;
}

}  // namespace botfactory::registry
