#pragma once
// Input rules of the BotRegistryService fields (proto/botfactory/registry/v1/registry.proto).
// Each check throws rpc::StatusError INVALID_ARGUMENT with a client-facing message.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "botfactory/registry/v1/registry.pb.h"

namespace botfactory::registry {

inline constexpr std::size_t kMaxNameChars = 100;
inline constexpr std::size_t kMaxGreetingChars = 1000;
inline constexpr std::size_t kMaxInstructionsChars = 4000;
inline constexpr std::size_t kMaxModelChars = 100;
inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr std::size_t kMaxAllowedOrigins = 20;
inline constexpr double kDefaultTemperature = 0.3;
inline constexpr int kDefaultMaxOutputTokens = 1024;
inline constexpr int kMaxOutputTokens = 32768;
inline constexpr std::size_t kMinProviderKeyChars = 8;
inline constexpr std::size_t kMaxProviderKeyChars = 512;
inline constexpr std::size_t kMaxBaseUrlChars = 300;
/// Models used when a bot names none (docs/api.md, "Bots").
inline constexpr const char* kDefaultOpenAiModel = "gpt-4o-mini";
inline constexpr const char* kDefaultGeminiModel = "gemini-2.0-flash";

/// "pb_" followed by 16 characters of [0-9A-Za-z].
bool is_public_id(std::string_view text);

/// Trimmed name of 1..100 code points.
std::string checked_name(std::string_view name);
/// "en", "ru" or "uz"; `value` empty gives "en" when `empty_is_default`, an error otherwise.
std::string checked_language(std::string_view value, bool empty_is_default);
/// At most 1000 code points of valid UTF-8.
std::string checked_greeting(std::string_view greeting);
/// At most 4000 code points of valid UTF-8.
std::string checked_instructions(std::string_view instructions);

/// Provider settings with defaults applied: provider "" → "extractive"; otherwise one of
/// extractive|gemini|openai; model at most 100 code points, empty → default_model(provider);
/// temperature in [0, 2]; max_output_tokens 0 → 1024, else 1..32768; fallback_to_extractive
/// unset → true.
struct ProviderFields {
  std::string provider = "extractive";
  std::string model;
  double temperature = kDefaultTemperature;
  int max_output_tokens = kDefaultMaxOutputTokens;
  bool fallback_to_extractive = true;
};
ProviderFields checked_provider(const common::v1::ProviderSettings& settings);
/// The model a bot of `provider` uses when it names none: "gpt-4o-mini" (openai),
/// "gemini-2.0-flash" (gemini), "" (extractive).
std::string default_model(std::string_view provider);

/// A provider that takes a key: "openai" or "gemini".
std::string checked_key_provider(std::string_view provider);
/// A provider key as given: 8..512 printable ASCII characters without spaces (no trimming, so
/// that what is stored is exactly what the provider issued).
std::string checked_provider_key(std::string_view key);
/// An optional base URL of an OpenAI-compatible server: empty, or "http(s)://host[...]" of at
/// most 300 printable ASCII characters without spaces; a trailing "/" is dropped. Unless
/// `allow_private_hosts` (LLM_TENANT_PRIVATE_ADDRESSES), a host that is "localhost" (or
/// *.localhost, RFC 6761 section 6.3) or a private / loopback / link-local IP literal
/// (common/net_address.hpp, IPv4 in any resolver form, IPv6 incl. mapped forms) is refused with
/// INVALID_ARGUMENT: the obvious server-side request forgery cases, caught at write time. The
/// real guard is ai-proxy's resolved-address check (a DNS name may resolve anywhere).
std::string checked_base_url(std::string_view url, bool allow_private_hosts = false);

/// Trimmed title of 1..200 code points.
std::string checked_title(std::string_view title);
/// Non-empty (not only whitespace) valid UTF-8 without NUL characters (PostgreSQL text cannot
/// hold them).
void check_body(std::string_view body);

/// A bot's allowed web origins, each canonicalised (common::canonical_origin: http or https,
/// host, optional port, no path), duplicates dropped, order kept; at most 20. Empty = any.
std::vector<std::string> checked_origins(const google::protobuf::RepeatedPtrField<std::string>& origins);

/// Stored name of a document format: "text" (also for UNSPECIFIED), "markdown", "html", "pdf".
const char* format_name(registry::v1::DocumentFormat format);
/// Inverse of format_name(); unknown names give DOCUMENT_FORMAT_TEXT.
registry::v1::DocumentFormat format_from_name(std::string_view name);

}  // namespace botfactory::registry
