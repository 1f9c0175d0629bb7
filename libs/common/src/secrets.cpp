#include "botfactory/common/secrets.hpp"

#include <array>
#include <cstdlib>

#include "botfactory/common/config.hpp"
#include "botfactory/common/logging.hpp"

namespace botfactory::common {
namespace {

constexpr std::string_view kDevPrefix = "insecure-dev-";

/// Secrets that were ever committed to this repository (dev defaults, templates, examples).
constexpr std::array<std::string_view, 8> kKnownSecrets = {
    "dev-only-insecure-jwt-secret-change-me-0123456789",  // old auth/gateway JWT default
    "CHANGE-ME-to-64-random-hex-characters",              // deploy/k8s/secret.template.yaml
    "CHANGE-ME-to-another-64-random-hex-characters",      // same, INTERNAL_RPC_SECRET
    "CHANGE-ME-to-a-third-64-random-hex-characters",      // same, PROVIDER_KEYS_SECRET
    "CHANGE-ME-to-a-fourth-64-random-hex-characters",     // same, CHANNEL_CREDENTIALS_SECRET
    "CHANGE-ME-to-a-fifth-64-random-hex-characters",      // same, WEBHOOK_SECRETS_KEY
    "deploy-test-secret-not-for-production",              // tests/deploy/check_deploy.sh
    "test-secret-0123456789abcdef0123456789abcdef",       // unit tests
};

}  // namespace

std::string insecure_dev_secret(std::string_view name) {
  return std::string(kDevPrefix) + std::string(name) + "-do-not-use-in-production-0123456789";
}

std::string secret_problem(std::string_view value) {
  if (value.empty()) return "is not set";
  for (auto known : kKnownSecrets) {
    if (value == known) return "is a publicly known value from the BotFactory repository";
  }
  if (value.substr(0, kDevPrefix.size()) == kDevPrefix) {
    return "is a publicly known development value";
  }
  if (value.size() < kMinSecretBytes) {
    return "is shorter than " + std::to_string(kMinSecretBytes) + " bytes";
  }
  return {};
}

std::string require_secret(const char* name) {
  const char* raw = std::getenv(name);
  std::string value = raw ? raw : "";
  auto problem = secret_problem(value);
  if (problem.empty()) return value;
  if (!env_bool(kInsecureDevFlag, false)) {
    throw ConfigError(std::string(name) + " " + problem +
                      "; set it to at least 32 random bytes, e.g. $(openssl rand -hex 32) (or " +
                      kInsecureDevFlag + "=1 for local development only)");
  }
  logger("secrets")->warn(
      "INSECURE: {} {}; accepted only because {}=1 (development mode). Anyone who knows this "
      "value can forge tokens or impersonate services. NEVER run like this in production.",
      name, problem, kInsecureDevFlag);
  return value.empty() ? insecure_dev_secret(name) : value;
}

}  // namespace botfactory::common
