#pragma once
// Which answerer a bot's replies actually come from (docs/api.md, "Bots"): the provider it asks
// for when the tenant has a key for it or the platform has one (platform_keys.hpp), else the
// built-in "extractive" answerer, with the reason.

#include <string>
#include <string_view>

namespace botfactory::registry {

/// The answerer in use and, when it differs from the requested one, why (else empty).
struct EffectiveAnswerer {
  std::string answerer;
  std::string reason;
};

/// `requested` ("extractive", "openai", "gemini") when it is "extractive", the tenant has a key
/// for it (`has_key`) or the platform has one (`platform_has_key`); else
/// {"extractive", "no <provider> key is set for this tenant"}.
inline EffectiveAnswerer effective_answerer(std::string_view requested, bool has_key,
                                            bool platform_has_key = false) {
  if (requested == "extractive" || requested.empty() || has_key || platform_has_key) {
    return {requested.empty() ? "extractive" : std::string(requested), {}};
  }
  return {"extractive", "no " + std::string(requested) + " key is set for this tenant"};
}

}  // namespace botfactory::registry
