// Provider keys and per-bot model settings against real PostgreSQL and the real gRPC service:
// keys sealed at rest (the table never holds the key), reads show the last four characters
// only, a wrong PROVIDER_KEYS_SECRET cannot open them, tenants cannot reach each other's keys,
// the effective answerer falls back to "extractive" without a key, and the key never reaches
// the service's log.

#include <catch2/catch.hpp>

#include <grpcpp/grpcpp.h>

#include "botfactory/common/logging.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/status.hpp"
#include "botfactory/testenv/stderr_capture.hpp"
#include "support/registry_harness.hpp"

using namespace botfactory;
namespace v1 = botfactory::registry::v1;
using Stub = v1::BotRegistryService::Stub;
using Harness = registry::test::RegistryHarness;

namespace {

const std::string kTenantA = "33333333-3333-4333-8333-333333333333";
const std::string kTenantB = "44444444-4444-4444-8444-444444444444";
const std::string kKeyA = "sk-proj-A1b2C3d4E5f6G7h8I9j0-keyA-wxyz";
const std::string kKeyB = "AIzaSyB-tenant-b-gemini-key-0000-qrst";

v1::ProviderKey set_key(Harness& h, const std::string& tenant, const std::string& provider,
                        const std::string& key, const std::string& base_url = "") {
  v1::SetProviderKeyRequest request;
  request.set_tenant_id(tenant);
  request.set_provider(provider);
  request.set_key(key);
  request.set_base_url(base_url);
  return h.call_ok(&Stub::SetProviderKey, request);
}

grpc::Status try_set_key(Harness& h, const std::string& tenant, const std::string& provider,
                         const std::string& key, const std::string& base_url = "") {
  v1::SetProviderKeyRequest request;
  request.set_tenant_id(tenant);
  request.set_provider(provider);
  request.set_key(key);
  request.set_base_url(base_url);
  v1::ProviderKey response;
  return h.call(&Stub::SetProviderKey, request, &response);
}

v1::Bot create_bot(Harness& h, const std::string& tenant, const std::string& provider) {
  v1::CreateBotRequest request;
  request.set_tenant_id(tenant);
  request.set_name("Model bot");
  request.mutable_provider()->set_provider(provider);
  return h.call_ok(&Stub::CreateBot, request);
}

v1::Bot get_bot(Harness& h, const v1::Bot& bot) {
  v1::GetBotRequest request;
  request.set_tenant_id(bot.tenant_id());
  request.set_bot_id(bot.id());
  return h.call_ok(&Stub::GetBot, request);
}

grpc::Status model_config(Harness& h, const std::string& tenant, const std::string& bot_id,
                          v1::BotModelConfig* config) {
  v1::GetBotModelConfigRequest request;
  request.set_tenant_id(tenant);
  request.set_bot_id(bot_id);
  return h.call(&Stub::GetBotModelConfig, request, config);
}

}  // namespace

TEST_CASE("provider keys: sealed at rest, reads show the last four characters only") {
  Harness h;
  auto stored = set_key(h, kTenantA, "openai", kKeyA, "https://llm.example.internal:8443/v1/");
  CHECK(stored.provider() == "openai");
  CHECK(stored.last_four() == "wxyz");
  CHECK(stored.base_url() == "https://llm.example.internal:8443/v1");
  CHECK(stored.DebugString().find(kKeyA) == std::string::npos);

  v1::ListProviderKeysRequest list;
  list.set_tenant_id(kTenantA);
  auto listed = h.call_ok(&Stub::ListProviderKeys, list);
  REQUIRE(listed.keys_size() == 1);
  CHECK(listed.keys(0).last_four() == "wxyz");
  CHECK(listed.DebugString().find(kKeyA) == std::string::npos);

  // The table holds neither the key nor any part of it beyond last_four; the ciphertext is the
  // key's length plus the 16-byte MAC, and a new nonce is drawn for every value.
  auto connection = h.pool->acquire();
  auto row = connection->exec(
      "SELECT encode(key_ciphertext, 'escape'), octet_length(key_ciphertext), encode(key_nonce, 'hex') "
      "FROM registry.provider_keys WHERE tenant_id = $1::uuid",
      {kTenantA});
  REQUIRE(row.rows() == 1);
  CHECK(row.str(0, 0) != kKeyA);
  CHECK(row.str(0, 0).find(kKeyA.substr(0, 12)) == std::string::npos);
  CHECK(row.int64(0, 1) == static_cast<std::int64_t>(kKeyA.size() + 16));
  auto dump = connection->exec("SELECT t::text FROM registry.provider_keys t");
  CHECK(dump.str(0, 0).find(kKeyA) == std::string::npos);
  const std::string first_nonce = row.str(0, 2);
  set_key(h, kTenantA, "openai", kKeyA);  // same key again: another nonce, another ciphertext
  auto again = connection->exec(
      "SELECT encode(key_nonce, 'hex'), base_url FROM registry.provider_keys WHERE tenant_id = $1::uuid",
      {kTenantA});
  CHECK(again.str(0, 0) != first_nonce);
  CHECK(again.str(0, 1).empty());  // replaced as a whole: no base URL this time

  // Delete: gone; deleting again is NOT_FOUND.
  v1::DeleteProviderKeyRequest del;
  del.set_tenant_id(kTenantA);
  del.set_provider("openai");
  h.call_ok(&Stub::DeleteProviderKey, del);
  v1::DeleteProviderKeyResponse deleted;
  CHECK(h.call(&Stub::DeleteProviderKey, del, &deleted).error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(h.call_ok(&Stub::ListProviderKeys, list).keys_size() == 0);
}

TEST_CASE("provider keys: a private base URL is refused unless LLM_TENANT_PRIVATE_ADDRESSES (SSRF)") {
  {
    Harness h;
    auto status = try_set_key(h, kTenantA, "openai", kKeyA, "http://169.254.169.254/latest");
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message() == "base_url must not point at a private, loopback or link-local address");
    CHECK(try_set_key(h, kTenantA, "openai", kKeyA, "http://[::1]:11434").error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(h.count("SELECT count(*) FROM registry.provider_keys") == 0);
  }
  registry::RegistrySettings settings;
  settings.tenant_private_addresses = true;  // a self-hosted model on the operator's network
  Harness h(settings);
  CHECK(try_set_key(h, kTenantA, "openai", kKeyA, "http://10.0.0.7:11434/v1").ok());
  CHECK(h.count("SELECT count(*) FROM registry.provider_keys") == 1);
}

TEST_CASE("provider keys: bad input is INVALID_ARGUMENT with a message that never echoes the key") {
  Harness h;
  struct Case {
    std::string tenant, provider, key, base_url;
  };
  for (const auto& c : std::vector<Case>{{"", "openai", kKeyA, ""},
                                         {"not-a-uuid", "openai", kKeyA, ""},
                                         {kTenantA, "extractive", kKeyA, ""},
                                         {kTenantA, "anthropic", kKeyA, ""},
                                         {kTenantA, "openai", "", ""},
                                         {kTenantA, "openai", "short", ""},
                                         {kTenantA, "openai", "sk with spaces inside", ""},
                                         {kTenantA, "openai", "sk-\x01-control-char", ""},
                                         {kTenantA, "openai", std::string(513, 'k'), ""},
                                         {kTenantA, "openai", kKeyA, "ftp://llm.example"},
                                         {kTenantA, "openai", kKeyA, "https://"},
                                         {kTenantA, "openai", kKeyA, "https://host with space"},
                                         {kTenantA, "openai", kKeyA, "https://" + std::string(300, 'h')}}) {
    INFO(c.tenant << " / " << c.provider << " / " << c.key.size() << " / " << c.base_url.substr(0, 40));
    auto status = try_set_key(h, c.tenant, c.provider, c.key, c.base_url);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    if (c.key.size() >= 8) CHECK(status.error_message().find(c.key) == std::string::npos);
  }
  CHECK(h.count("SELECT count(*) FROM registry.provider_keys") == 0);
}

TEST_CASE("bots: model settings with defaults, and the effective answerer without a key") {
  Harness h;
  auto plain = h.create_bot(kTenantA, "Offline");
  CHECK(plain.provider().provider() == "extractive");
  CHECK(plain.provider().model().empty());
  CHECK(plain.provider().max_output_tokens() == 1024);
  CHECK(plain.provider().fallback_to_extractive());
  CHECK(plain.effective_answerer() == "extractive");
  CHECK(plain.effective_answerer_reason().empty());

  auto bot = create_bot(h, kTenantA, "openai");
  CHECK(bot.provider().model() == registry::kDefaultOpenAiModel);
  CHECK(bot.effective_answerer() == "extractive");
  CHECK(bot.effective_answerer_reason() == "no openai key is set for this tenant");

  set_key(h, kTenantA, "openai", kKeyA);
  auto with_key = get_bot(h, bot);
  CHECK(with_key.effective_answerer() == "openai");
  CHECK(with_key.effective_answerer_reason().empty());
  v1::ListBotsRequest list;
  list.set_tenant_id(kTenantA);
  auto listed = h.call_ok(&Stub::ListBots, list);
  REQUIRE(listed.bots_size() == 2);
  CHECK(listed.bots(1).effective_answerer() == "openai");

  // Update every model field; the answer shows them, and gemini (no key) falls back.
  v1::UpdateBotRequest update;
  update.set_tenant_id(kTenantA);
  update.set_bot_id(bot.id());
  auto* provider = update.mutable_provider();
  provider->set_provider("gemini");
  provider->set_model("gemini-2.5-pro");
  provider->set_temperature(0.9);
  provider->set_max_output_tokens(256);
  provider->set_fallback_to_extractive(false);
  auto updated = h.call_ok(&Stub::UpdateBot, update);
  CHECK(updated.provider().model() == "gemini-2.5-pro");
  CHECK(updated.provider().max_output_tokens() == 256);
  CHECK_FALSE(updated.provider().fallback_to_extractive());
  CHECK(updated.provider().temperature() == Approx(0.9));
  CHECK(updated.effective_answerer() == "extractive");
  CHECK(updated.effective_answerer_reason() == "no gemini key is set for this tenant");
  provider->clear_model();
  CHECK(h.call_ok(&Stub::UpdateBot, update).provider().model() == registry::kDefaultGeminiModel);

  for (int tokens : {-1, 32769}) {
    provider->set_max_output_tokens(tokens);
    v1::Bot refused;
    auto status = h.call(&Stub::UpdateBot, update, &refused);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message() == "max_output_tokens must be between 1 and 32768");
  }
}

TEST_CASE("GetBotModelConfig: the decrypted key for ai-proxy; a wrong secret cannot open it") {
  Harness h;
  auto bot = create_bot(h, kTenantA, "openai");
  v1::BotModelConfig config;
  REQUIRE(model_config(h, kTenantA, bot.id(), &config).ok());
  CHECK(config.effective_answerer() == "extractive");
  CHECK(config.api_key().empty());

  set_key(h, kTenantA, "openai", kKeyA, "https://llm.example.net:8080/v1");
  REQUIRE(model_config(h, kTenantA, bot.id(), &config).ok());
  CHECK(config.bot_id() == bot.id());
  CHECK(config.effective_answerer() == "openai");
  CHECK(config.api_key() == kKeyA);
  CHECK(config.base_url() == "https://llm.example.net:8080/v1");
  CHECK(config.provider().model() == registry::kDefaultOpenAiModel);
  CHECK(config.provider().max_output_tokens() == 1024);
  CHECK(config.provider().fallback_to_extractive());

  // The same rows read by a registry with another PROVIDER_KEYS_SECRET: a clear error.
  registry::ProviderKeys other(h.pool, std::make_shared<const registry::KeyCipher>(
                                           std::string("another-provider-keys-secret-32b")));
  try {
    other.model_config(kTenantA, bot.id());
    FAIL("a key sealed under another secret was opened");
  } catch (const rpc::StatusError& e) {
    CHECK(e.code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(std::string(e.what()) ==
          "the stored openai key cannot be decrypted with the current PROVIDER_KEYS_SECRET (was "
          "it changed?); set the key again");
  }
  // Reads that do not need the key still work under the other secret.
  CHECK(other.list_keys(kTenantA).at(0).last_four == "wxyz");

  // Altered ciphertext does not open either.
  h.pool->acquire()->exec(
      "UPDATE registry.provider_keys SET key_ciphertext = overlay(key_ciphertext placing '\\x00'::bytea from 3)");
  auto status = model_config(h, kTenantA, bot.id(), &config);
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_CASE("provider keys: tenants cannot list, delete, use or read each other's keys") {
  Harness h;
  auto bot_a = create_bot(h, kTenantA, "openai");
  auto bot_b = create_bot(h, kTenantB, "openai");
  set_key(h, kTenantA, "openai", kKeyA);
  set_key(h, kTenantB, "gemini", kKeyB);

  v1::ListProviderKeysRequest list;
  list.set_tenant_id(kTenantB);
  auto listed = h.call_ok(&Stub::ListProviderKeys, list);
  REQUIRE(listed.keys_size() == 1);
  CHECK(listed.keys(0).provider() == "gemini");

  // B's openai bot does not get A's openai key.
  CHECK(get_bot(h, bot_b).effective_answerer() == "extractive");
  v1::BotModelConfig config;
  REQUIRE(model_config(h, kTenantB, bot_b.id(), &config).ok());
  CHECK(config.api_key().empty());
  // B naming A's bot: NOT_FOUND, never A's key.
  auto status = model_config(h, kTenantB, bot_a.id(), &config);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(model_config(h, "", bot_a.id(), &config).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(model_config(h, kTenantA, "not-a-uuid", &config).error_code() == grpc::StatusCode::NOT_FOUND);

  // B deleting "openai": NOT_FOUND, A's key stays.
  v1::DeleteProviderKeyRequest del;
  del.set_tenant_id(kTenantB);
  del.set_provider("openai");
  v1::DeleteProviderKeyResponse deleted;
  CHECK(h.call(&Stub::DeleteProviderKey, del, &deleted).error_code() == grpc::StatusCode::NOT_FOUND);
  REQUIRE(model_config(h, kTenantA, bot_a.id(), &config).ok());
  CHECK(config.api_key() == kKeyA);
}

TEST_CASE("GetBotModelConfig: refused without the internal-call secret") {
  Harness h;
  auto bot = create_bot(h, kTenantA, "openai");
  set_key(h, kTenantA, "openai", kKeyA);
  auto channel = grpc::CreateChannel(h.address(), grpc::InsecureChannelCredentials());
  auto bare = v1::BotRegistryService::NewStub(channel);
  v1::GetBotModelConfigRequest request;
  request.set_tenant_id(kTenantA);
  request.set_bot_id(bot.id());
  v1::BotModelConfig config;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto status = bare->GetBotModelConfig(&context, request, &config);
  CHECK(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(config.api_key().empty());
}

TEST_CASE("provider keys: the key never appears in the service's log") {
  Harness h;
  auto bot = create_bot(h, kTenantA, "openai");
  testenv::StderrCapture capture;
  common::logger("registry")->set_level(spdlog::level::trace);
  set_key(h, kTenantA, "openai", kKeyA, "https://llm.example/v1");
  v1::BotModelConfig config;
  REQUIRE(model_config(h, kTenantA, bot.id(), &config).ok());
  CHECK(config.api_key() == kKeyA);
  try_set_key(h, kTenantA, "openai", kKeyA + " with a space");  // refused
  try_set_key(h, kTenantA, "nope", kKeyA);                      // refused
  // A failure under another secret is logged by nobody with the key either.
  registry::ProviderKeys other(h.pool, std::make_shared<const registry::KeyCipher>(
                                           std::string("another-provider-keys-secret-32b")));
  CHECK_THROWS(other.model_config(kTenantA, bot.id()));
  common::logger("registry")->flush();
  const std::string log = capture.finish();
  common::logger("registry")->set_level(spdlog::level::info);
  INFO(log);
  CHECK(log.find("provider key set") != std::string::npos);  // the capture saw the service log
  CHECK(log.find("last_four=wxyz") != std::string::npos);
  CHECK(log.find(kKeyA) == std::string::npos);
  CHECK(log.find(kKeyA.substr(0, kKeyA.size() - 4)) == std::string::npos);
}

TEST_CASE("platform keys: a bot without a tenant key answers with the platform's; the tenant's wins") {
  registry::RegistrySettings settings;
  auto platform = std::make_shared<registry::PlatformKeys>();
  const std::string platform_key = "sk-platform-0000-1111-2222-plat";
  platform->set("openai", {platform_key, ""});
  platform->set("gemini", {"", "http://127.0.0.1:11434/v1"});  // self-hosted, keyless
  settings.platform_keys = platform;
  Harness h(settings);

  auto bot = create_bot(h, kTenantA, "openai");
  CHECK(bot.effective_answerer() == "openai");
  CHECK(bot.effective_answerer_reason().empty());
  v1::BotModelConfig config;
  REQUIRE(model_config(h, kTenantA, bot.id(), &config).ok());
  CHECK(config.effective_answerer() == "openai");
  CHECK(config.api_key() == platform_key);
  CHECK(config.base_url().empty());  // ai-proxy's OPENAI_BASE_URL

  // The tenant's own key wins, with its base URL.
  set_key(h, kTenantA, "openai", kKeyA, "https://llm.example.net:8080/v1");
  REQUIRE(model_config(h, kTenantA, bot.id(), &config).ok());
  CHECK(config.api_key() == kKeyA);
  CHECK(config.base_url() == "https://llm.example.net:8080/v1");

  // A keyless self-hosted platform provider counts as configured.
  auto gemini = create_bot(h, kTenantB, "gemini");
  CHECK(gemini.effective_answerer() == "gemini");
  REQUIRE(model_config(h, kTenantB, gemini.id(), &config).ok());
  CHECK(config.effective_answerer() == "gemini");
  CHECK(config.api_key().empty());

  // Without a platform key for the provider: extractive, as before.
  registry::RegistrySettings none;
  Harness bare(none);
  auto plain = create_bot(bare, kTenantA, "openai");
  CHECK(plain.effective_answerer() == "extractive");
  CHECK(plain.effective_answerer_reason() == "no openai key is set for this tenant");
}

TEST_CASE("platform keys from the environment: configured providers, keyless self-hosted, never logged") {
  const std::string secret = "sk-platform-env-key-9f8e7d6c5b4a";
  setenv("OPENAI_API_KEY", secret.c_str(), 1);
  setenv("GEMINI_BASE_URL", "http://127.0.0.1:11434/", 1);  // self-hosted, no key
  testenv::StderrCapture capture;
  auto keys = registry::PlatformKeys::from_env();
  auto log = capture.finish();
  unsetenv("OPENAI_API_KEY");
  unsetenv("GEMINI_BASE_URL");
  REQUIRE(keys.find("openai") != nullptr);
  CHECK(keys.find("openai")->api_key == secret);
  REQUIRE(keys.find("gemini") != nullptr);
  CHECK(keys.find("gemini")->api_key.empty());
  CHECK(keys.find("gemini")->base_url == "http://127.0.0.1:11434");
  CHECK(log.find("platform openai key: set") != std::string::npos);
  CHECK(log.find(secret) == std::string::npos);
  CHECK(log.find("9f8e7d") == std::string::npos);

  // The public endpoint alone does not count as configured.
  setenv("OPENAI_BASE_URL", "https://api.openai.com/", 1);
  auto public_only = registry::PlatformKeys::from_env();
  unsetenv("OPENAI_BASE_URL");
  CHECK(public_only.find("openai") == nullptr);
  CHECK(public_only.find("gemini") == nullptr);
}
