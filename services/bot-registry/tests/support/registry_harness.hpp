#pragma once
// bot-registry for integration tests, all real: a fresh migrated database (BOTFACTORY_TEST_PG),
// the subscription fake for plan limits and the gRPC service on 127.0.0.1:0, with a client stub
// and helpers that REQUIRE success. Used by registry_pgtest and ai-proxy's generate_pgtest.
// Needs Catch2, Boost.JSON and REGISTRY_FIXTURES_DIR (tests/fixtures) in the including test.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "bot_registry.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "entitlements.hpp"
#include "key_cipher.hpp"
#include "migrations.hpp"
#include "provider_keys.hpp"
#include "registry_service.hpp"
#include "support/fake_subscription.hpp"

namespace botfactory::registry::test {

/// One entry of the real Mozilla FAQ fixture (tests/fixtures/mozilla_faq.jsonl).
struct FaqEntry {
  std::string id, title, text, lang;
};

/// The fixture's entries of language `lang` ("en", "ru", "uz"), in file order.
inline std::vector<FaqEntry> load_faq(const std::string& lang) {
  std::ifstream in(std::string(REGISTRY_FIXTURES_DIR) + "/mozilla_faq.jsonl");
  REQUIRE(in);
  std::vector<FaqEntry> entries;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto object = boost::json::parse(line).as_object();
    FaqEntry entry{std::string(object.at("id").as_string()), std::string(object.at("title").as_string()),
                   std::string(object.at("text").as_string()), std::string(object.at("lang").as_string())};
    if (entry.lang == lang) entries.push_back(std::move(entry));
  }
  return entries;
}

/// A migrated database, the subscription fake and bot-registry's gRPC server, all real.
struct RegistryHarness {
  using Stub = registry::v1::BotRegistryService::Stub;
  static constexpr auto kTimeout = std::chrono::milliseconds(5000);
  /// 32 raw bytes: the PROVIDER_KEYS_SECRET of the harness (tests only).
  static constexpr const char* kTestKeysSecret = "harness-provider-keys-secret-32b";

  testenv::TestDatabase db;
  std::shared_ptr<pg::Pool> pool = std::make_shared<pg::Pool>(db.conninfo(), 4);
  FakeSubscriptionServer subscription;
  std::shared_ptr<BotRegistry> bots;
  /// The provider-key cipher under a fixed test key (kTestKeysSecret).
  std::shared_ptr<const KeyCipher> cipher = std::make_shared<const KeyCipher>(kTestKeysSecret);
  std::shared_ptr<ProviderKeys> keys;
  std::unique_ptr<RegistryService> service;
  std::unique_ptr<rpc::Server> server;
  std::unique_ptr<Stub> stub;

  explicit RegistryHarness(RegistrySettings settings = {}) {
    {
      auto connection = pool->acquire();
      pg::migrate(*connection, "registry", migrations::registry_migrations());
    }
    auto entitlements = std::make_shared<GrpcEntitlementsClient>(
        rpc::make_channel(subscription.address()), kTimeout);
    bots = std::make_shared<BotRegistry>(pool, entitlements, settings);
    keys = std::make_shared<ProviderKeys>(pool, cipher, settings.platform_keys, settings.tenant_private_addresses);
    service = std::make_unique<RegistryService>(bots, keys);
    server = std::make_unique<rpc::Server>("127.0.0.1:0", std::vector<grpc::Service*>{service.get()});
    stub = registry::v1::BotRegistryService::NewStub(rpc::make_channel(address()));
  }

  /// "127.0.0.1:<port>" of the gRPC server.
  std::string address() const { return "127.0.0.1:" + std::to_string(server->port()); }

  /// Calls `method` with a kTimeout deadline and returns its status.
  template <typename Request, typename Response>
  grpc::Status call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    grpc::ClientContext context;
    rpc::set_deadline(context, kTimeout);
    return (stub.get()->*method)(&context, request, response);
  }

  /// Calls `method`, REQUIREs an OK status (its message INFO'd) and returns the response.
  template <typename Request, typename Response>
  Response call_ok(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                   const Request& request) {
    Response response;
    auto status = call(method, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return response;
  }

  registry::v1::Bot create_bot(const std::string& tenant, const std::string& name,
                               const std::string& language = "") {
    registry::v1::CreateBotRequest request;
    request.set_tenant_id(tenant);
    request.set_name(name);
    request.set_language(language);
    return call_ok(&Stub::CreateBot, request);
  }

  registry::v1::Document add_document(const registry::v1::Bot& bot, const std::string& title,
                                      const std::string& body,
                                      registry::v1::DocumentFormat format = registry::v1::DOCUMENT_FORMAT_TEXT) {
    registry::v1::AddDocumentRequest request;
    request.set_tenant_id(bot.tenant_id());
    request.set_bot_id(bot.id());
    request.set_title(title);
    request.set_body(body);
    request.set_format(format);
    return call_ok(&Stub::AddDocument, request);
  }

  /// Adds each FAQ entry of `lang` as one document of `bot` (title = question, body = answer);
  /// returns the document id → entry id map. REQUIREs at least 3 entries.
  std::map<std::string, std::string> add_faq(const registry::v1::Bot& bot, const std::string& lang) {
    std::map<std::string, std::string> ids;
    auto entries = load_faq(lang);
    REQUIRE(entries.size() >= 3);
    for (const auto& entry : entries) ids[add_document(bot, entry.title, entry.text).id()] = entry.id;
    return ids;
  }

  std::vector<registry::v1::KnowledgeChunk> search(const registry::v1::Bot& bot, const std::string& query,
                                                   int limit = 0) {
    registry::v1::SearchKnowledgeRequest request;
    request.set_tenant_id(bot.tenant_id());
    request.set_bot_id(bot.id());
    request.set_query(query);
    request.set_limit(limit);
    auto response = call_ok(&Stub::SearchKnowledge, request);
    return {response.chunks().begin(), response.chunks().end()};
  }

  /// The int64 in the first cell of `sql`'s result.
  std::int64_t count(const std::string& sql) {
    auto connection = pool->acquire();
    return connection->exec(sql).int64(0, 0);
  }
};

/// SearchKnowledge called in process on `bots` (a BotRegistry of its own settings, e.g. the SQL
/// path or no encoder), not through the harness's gRPC server.
inline std::vector<registry::v1::KnowledgeChunk> search_in(registry::BotRegistry& bots, const registry::v1::Bot& bot,
                                                           const std::string& query, int limit) {
  registry::v1::SearchKnowledgeRequest request;
  request.set_tenant_id(bot.tenant_id());
  request.set_bot_id(bot.id());
  request.set_query(query);
  request.set_limit(limit);
  auto response = bots.search_knowledge(request);
  return {response.chunks().begin(), response.chunks().end()};
}

}  // namespace botfactory::registry::test
