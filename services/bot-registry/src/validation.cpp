#include "validation.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "botfactory/common/net_address.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/common/web_origin.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::registry {
namespace {

bool is_base62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string checked_text(std::string_view value, const char* field, std::size_t max_chars) {
  if (!common::is_valid_utf8(value)) rpc::throw_invalid(std::string(field) + " is not valid UTF-8");
  if (value.find('\0') != std::string_view::npos) {
    rpc::throw_invalid(std::string(field) + " must not contain NUL characters");
  }
  if (common::utf8_length(value) > max_chars) {
    rpc::throw_invalid(std::string(field) + " must be at most " + std::to_string(max_chars) +
                       " characters");
  }
  return std::string(value);
}

}  // namespace

bool is_public_id(std::string_view text) {
  if (text.size() != 19 || text.substr(0, 3) != "pb_") return false;
  for (char c : text.substr(3)) {
    if (!is_base62(c)) return false;
  }
  return true;
}

std::string checked_name(std::string_view name) {
  auto trimmed = common::trim(name);
  if (trimmed.empty()) rpc::throw_invalid("name must not be empty");
  return checked_text(trimmed, "name", kMaxNameChars);
}

std::string checked_language(std::string_view value, bool empty_is_default) {
  if (value.empty() && empty_is_default) return "en";
  if (value == "en" || value == "ru" || value == "uz") return std::string(value);
  rpc::throw_invalid("language must be one of en, ru, uz");
}

std::string checked_greeting(std::string_view greeting) {
  return checked_text(greeting, "greeting", kMaxGreetingChars);
}

std::string checked_instructions(std::string_view instructions) {
  return checked_text(instructions, "instructions", kMaxInstructionsChars);
}

ProviderFields checked_provider(const common::v1::ProviderSettings& settings) {
  ProviderFields fields;
  const auto& name = settings.provider();
  if (!name.empty()) {
    if (name != "extractive" && name != "gemini" && name != "openai") {
      rpc::throw_invalid("provider must be one of extractive, gemini, openai");
    }
    fields.provider = name;
  }
  fields.model = checked_text(common::trim(settings.model()), "model", kMaxModelChars);
  double t = settings.temperature();
  if (!std::isfinite(t) || t < 0.0 || t > 2.0) rpc::throw_invalid("temperature must be between 0 and 2");
  fields.temperature = t;
  if (fields.model.empty()) fields.model = default_model(fields.provider);
  const int tokens = settings.max_output_tokens();
  if (tokens < 0 || tokens > kMaxOutputTokens) {
    rpc::throw_invalid("max_output_tokens must be between 1 and " + std::to_string(kMaxOutputTokens));
  }
  if (tokens > 0) fields.max_output_tokens = tokens;
  if (settings.has_fallback_to_extractive()) {
    fields.fallback_to_extractive = settings.fallback_to_extractive();
  }
  return fields;
}

std::string default_model(std::string_view provider) {
  if (provider == "openai") return kDefaultOpenAiModel;
  if (provider == "gemini") return kDefaultGeminiModel;
  return {};
}

std::string checked_key_provider(std::string_view provider) {
  if (provider != "openai" && provider != "gemini") {
    rpc::throw_invalid("provider must be one of openai, gemini");
  }
  return std::string(provider);
}

namespace {

/// True when every byte is printable ASCII other than space (0x21..0x7e).
bool is_visible_ascii(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/// The host of an http(s) URL whose authority starts at `at`: without user info and port,
/// IPv6 with its brackets, lower-case, without a trailing '.'.
std::string url_host(std::string_view url, std::size_t at) {
  const auto end = url.find_first_of("/?#", at);
  auto authority = url.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
  if (auto user = authority.rfind('@'); user != std::string_view::npos) authority.remove_prefix(user + 1);
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') == std::string_view::npos ? host.size() : host.find(']') + 1);
  } else if (auto colon = host.find(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool is_local_name(std::string_view host) {
  constexpr std::string_view kLocal = "localhost";
  return host == kLocal || (host.size() > kLocal.size() && host.substr(host.size() - kLocal.size() - 1) == ".localhost");
}

}  // namespace

std::string checked_provider_key(std::string_view key) {
  if (key.size() < kMinProviderKeyChars || key.size() > kMaxProviderKeyChars ||
      !is_visible_ascii(key)) {
    rpc::throw_invalid("key must be " + std::to_string(kMinProviderKeyChars) + ".." +
                       std::to_string(kMaxProviderKeyChars) +
                       " printable ASCII characters without spaces");
  }
  return std::string(key);
}

std::string checked_base_url(std::string_view url, bool allow_private_hosts) {
  if (url.empty()) return {};
  const bool http = url.substr(0, 7) == "http://";
  const bool https = url.substr(0, 8) == "https://";
  const std::size_t host_at = https ? 8 : 7;
  if (url.size() > kMaxBaseUrlChars || !is_visible_ascii(url) || !(http || https) ||
      url.size() == host_at || url[host_at] == '/' || url_host(url, host_at).empty()) {
    rpc::throw_invalid("base_url must be http(s)://host[:port][/path] of at most " +
                       std::to_string(kMaxBaseUrlChars) + " characters");
  }
  if (!allow_private_hosts) {
    auto host = url_host(url, host_at);
    if (is_local_name(host) || common::literal_ip_is_private(host).value_or(false)) {
      rpc::throw_invalid("base_url must not point at a private, loopback or link-local address");
    }
  }
  while (url.size() > host_at + 1 && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

std::string checked_title(std::string_view title) {
  auto trimmed = common::trim(title);
  if (trimmed.empty()) rpc::throw_invalid("title must not be empty");
  return checked_text(trimmed, "title", kMaxTitleChars);
}

void check_body(std::string_view body) {
  if (!common::is_valid_utf8(body)) rpc::throw_invalid("body is not valid UTF-8");
  if (body.find('\0') != std::string_view::npos) {
    rpc::throw_invalid("body must not contain NUL characters");
  }
  if (common::trim(body).empty()) rpc::throw_invalid("body must not be empty");
}

std::vector<std::string> checked_origins(
    const google::protobuf::RepeatedPtrField<std::string>& origins) {
  if (static_cast<std::size_t>(origins.size()) > kMaxAllowedOrigins) {
    rpc::throw_invalid("allowed_origins may list at most " + std::to_string(kMaxAllowedOrigins) +
                       " origins");
  }
  std::vector<std::string> out;
  for (int i = 0; i < origins.size(); ++i) {
    auto canonical = common::canonical_origin(common::trim(origins.Get(i)));
    if (!canonical) {
      rpc::throw_invalid("allowed_origins[" + std::to_string(i) +
                         "] is not an origin like https://shop.example or http://host:8080 "
                         "(http or https, host, optional port, no path)");
    }
    if (std::find(out.begin(), out.end(), *canonical) == out.end()) out.push_back(*canonical);
  }
  return out;
}

const char* format_name(registry::v1::DocumentFormat format) {
  switch (format) {
    case registry::v1::DOCUMENT_FORMAT_MARKDOWN:
      return "markdown";
    case registry::v1::DOCUMENT_FORMAT_HTML:
      return "html";
    case registry::v1::DOCUMENT_FORMAT_PDF:
      return "pdf";
    default:
      return "text";
  }
}

registry::v1::DocumentFormat format_from_name(std::string_view name) {
  if (name == "markdown") return registry::v1::DOCUMENT_FORMAT_MARKDOWN;
  if (name == "html") return registry::v1::DOCUMENT_FORMAT_HTML;
  if (name == "pdf") return registry::v1::DOCUMENT_FORMAT_PDF;
  return registry::v1::DOCUMENT_FORMAT_TEXT;
}

}  // namespace botfactory::registry
