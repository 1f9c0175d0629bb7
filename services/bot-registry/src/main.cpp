// botfactory-bot-registry: bots and knowledge bases (gRPC BotRegistryService). Wiring only.

#include <chrono>
#include <filesystem>
#include <string>

#include "botfactory/common/config.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/service_main.hpp"
#include "bot_registry.hpp"
#include "entitlements.hpp"
#include "key_cipher.hpp"
#include "migrations.hpp"
#include "platform_keys.hpp"
#include "provider_keys.hpp"
#include "registry_service.hpp"

int main(int argc, char** argv) {
  using namespace botfactory;
  auto options = rpc::ServiceOptions::standard("bot-registry", "REGISTRY", 50053, 9103, "registry",
                                               &migrations::registry_migrations());
  options.secrets = {registry::kProviderKeysSecretEnv};
  // Decoded before the database is touched: a bad key fails start-up at once.
  std::shared_ptr<const registry::KeyCipher> cipher;
  options.startup_check = [&cipher] { cipher = registry::KeyCipher::from_env(registry::kProviderKeysSecretEnv); };
  return rpc::run_service(argc, argv, options, [&cipher](rpc::ServiceContext& context) {
    // The platform's own provider keys: only bot-registry reads them (effective_answerer and
    // GetBotModelConfig agree).
    auto platform_keys = std::make_shared<const registry::PlatformKeys>(registry::PlatformKeys::from_env());
    // LLM_TENANT_PRIVATE_ADDRESSES (default off): tenants' base URLs may name private hosts.
    auto keys = std::make_shared<registry::ProviderKeys>(
        context.pool, cipher, platform_keys, common::env_bool("LLM_TENANT_PRIVATE_ADDRESSES", false));
    auto timeout = rpc::rpc_timeout_from_env();
    auto entitlements = std::make_shared<registry::GrpcEntitlementsClient>(
        rpc::make_channel(common::env_string("SUBSCRIPTION_ADDR", "127.0.0.1:50052")), timeout);
    registry::RegistrySettings settings;
    settings.max_document_bytes = static_cast<std::size_t>(
        common::env_int("REGISTRY_MAX_DOCUMENT_BYTES", 8 << 20, 1024, 64 << 20));
    settings.pdf.max_pages =
        static_cast<int>(common::env_int("REGISTRY_PDF_MAX_PAGES", 2000, 1, 100000));
    settings.extract_concurrency =
        static_cast<int>(common::env_int("REGISTRY_EXTRACT_CONCURRENCY", 2, 1, 64));
    settings.platform_keys = platform_keys;
    // REGISTRY_SEARCH_CACHE_MB (default 128, 0 = off): the in-process search indexes' budget.
    settings.search_cache_bytes = static_cast<std::size_t>(
        common::env_int("REGISTRY_SEARCH_CACHE_MB", 128, 0, 65536)) << 20;
    // REGISTRY_WORD_VECTORS (default: where scripts/setup.sh converts them, relative to the
    // working directory, the repository root for `make run`, which passes it absolute; the
    // image sets its own; empty = off): the English word vectors of the semantic re-rank.
    // Missing or bad: a warning, lexical only.
    settings.word_vectors = registry::load_word_vectors_or_none(
        common::env_string("REGISTRY_WORD_VECTORS", "tools/word-vectors/en-100d.bfwv"));
    // REGISTRY_SENTENCE_ENCODER (default: the file scripts/setup.sh converts, relative to the
    // working directory, when it exists there, else off; the image sets its own; empty = off):
    // the English sentence encoder (USE-lite). Named but missing or bad: a warning, off.
    {
      const std::string fallback = "tools/sentence-encoder/use-lite-en.bfse";
      settings.sentence_encoder = registry::load_sentence_encoder_or_none(common::env_string(
          "REGISTRY_SENTENCE_ENCODER", std::filesystem::exists(fallback) ? fallback : std::string()));
    }
    auto bots = std::make_shared<registry::BotRegistry>(context.pool, entitlements, settings);
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<registry::RegistryService>(bots, keys));
    return services;
  });
}
