// End to end through two real gRPC services: ai-proxy's streaming Generate → bot-registry's
// SearchKnowledge (in process, real PostgreSQL via BOTFACTORY_TEST_PG) holding the real Mozilla
// FAQ fixture; plan limits from an in-test SubscriptionService.

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

#include <boost/json.hpp>

#include "ai_service.hpp"
#include "bot_registry.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "entitlements.hpp"
#include "extractive_provider.hpp"
#include "knowledge_search.hpp"
#include "migrations.hpp"
#include "registry_service.hpp"
#include "support/fake_subscription.hpp"

using namespace botfactory;

namespace {

constexpr auto kTimeout = std::chrono::milliseconds(5000);
const std::string kTenant = "11111111-1111-4111-8111-111111111111";

struct Fleet {
  testenv::TestDatabase db;
  std::shared_ptr<pg::Pool> pool = std::make_shared<pg::Pool>(db.conninfo(), 4);
  registry::test::FakeSubscriptionServer subscription;
  std::unique_ptr<registry::RegistryService> registry_service;
  std::unique_ptr<rpc::Server> registry_server;
  std::unique_ptr<registry::v1::BotRegistryService::Stub> registry;
  std::unique_ptr<ai::AiProxyService> ai_service;
  std::unique_ptr<rpc::Server> ai_server;
  std::unique_ptr<ai::v1::AiProxyService::Stub> ai;

  Fleet() {
    {
      auto connection = pool->acquire();
      pg::migrate(*connection, "registry", migrations::registry_migrations());
    }
    auto entitlements = std::make_shared<registry::GrpcEntitlementsClient>(
        rpc::make_channel(subscription.address()), kTimeout);
    registry_service = std::make_unique<registry::RegistryService>(
        std::make_shared<registry::BotRegistry>(pool, entitlements));
    registry_server = std::make_unique<rpc::Server>("127.0.0.1:0", std::vector<grpc::Service*>{registry_service.get()});
    auto registry_address = "127.0.0.1:" + std::to_string(registry_server->port());
    registry = registry::v1::BotRegistryService::NewStub(rpc::make_channel(registry_address));

    auto search = std::make_shared<ai::GrpcKnowledgeSearch>(rpc::make_channel(registry_address), kTimeout);
    ai_service = std::make_unique<ai::AiProxyService>(
        std::make_shared<ai::ProviderRegistry>(std::make_shared<ai::ExtractiveProvider>(search)));
    ai_server = std::make_unique<rpc::Server>("127.0.0.1:0", std::vector<grpc::Service*>{ai_service.get()});
    ai = ai::v1::AiProxyService::NewStub(rpc::make_channel("127.0.0.1:" + std::to_string(ai_server->port())));
  }

  /// A bot of `language` whose knowledge base is the fixture's entries of that language.
  registry::v1::Bot faq_bot(const std::string& language) {
    registry::v1::CreateBotRequest create;
    create.set_tenant_id(kTenant);
    create.set_name("FAQ " + language);
    create.set_language(language);
    registry::v1::Bot bot;
    {
      grpc::ClientContext context;
      rpc::set_deadline(context, kTimeout);
      REQUIRE(registry->CreateBot(&context, create, &bot).ok());
    }
    std::ifstream in(std::string(REGISTRY_FIXTURES_DIR) + "/mozilla_faq.jsonl");
    REQUIRE(in);
    std::string line;
    int added = 0;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto entry = boost::json::parse(line).as_object();
      if (entry.at("lang").as_string() != language) continue;
      registry::v1::AddDocumentRequest add;
      add.set_tenant_id(kTenant);
      add.set_bot_id(bot.id());
      add.set_title(std::string(entry.at("title").as_string()));
      add.set_body(std::string(entry.at("text").as_string()));
      registry::v1::Document document;
      grpc::ClientContext context;
      rpc::set_deadline(context, kTimeout);
      auto status = registry->AddDocument(&context, add, &document);
      INFO(status.error_message());
      REQUIRE(status.ok());
      ++added;
    }
    REQUIRE(added >= 3);
    return bot;
  }

  struct Reply {
    grpc::Status status;
    std::string joined_deltas;
    int delta_count = 0;
    int final_count = 0;
    ai::v1::FinalReply final_reply;
  };

  Reply ask(const registry::v1::Bot& bot, const std::string& question) {
    ai::v1::GenerateRequest request;
    request.set_tenant_id(bot.tenant_id());
    request.set_bot_id(bot.id());
    request.set_conversation_id("c1");
    request.set_language(bot.language());
    *request.mutable_provider() = bot.provider();
    request.set_user_text(question);
    grpc::ClientContext context;
    rpc::set_deadline(context, kTimeout);
    auto reader = ai->Generate(&context, request);
    Reply reply;
    ai::v1::GenerateResponse event;
    while (reader->Read(&event)) {
      if (event.has_final()) {
        ++reply.final_count;
        reply.final_reply = event.final();
      } else {
        REQUIRE(reply.final_count == 0);  // no delta after the final
        ++reply.delta_count;
        reply.joined_deltas += event.delta();
      }
    }
    reply.status = reader->Finish();
    return reply;
  }
};

}  // namespace

TEST_CASE("a question about the knowledge base is answered with a quote and its source") {
  Fleet fleet;
  auto bot = fleet.faq_bot("en");

  auto reply = fleet.ask(bot, "Is there a size limit for attachments?");
  INFO(reply.status.error_message());
  REQUIRE(reply.status.ok());
  REQUIRE(reply.final_count == 1);
  const auto& final_reply = reply.final_reply;
  INFO(final_reply.text());
  CHECK(final_reply.answered());
  CHECK(final_reply.provider() == "extractive");
  CHECK(reply.delta_count > 1);
  CHECK(reply.joined_deltas == final_reply.text());
  CHECK(final_reply.text().find("10 MB limit") != std::string::npos);
  CHECK(final_reply.text().find("Source: “Will Firefox Relay forward emails with attachments?”") !=
        std::string::npos);
  REQUIRE(final_reply.sources_size() == 1);
  CHECK(final_reply.sources(0).document_title() == "Will Firefox Relay forward emails with attachments?");
  CHECK(final_reply.sources(0).score() > 0.0);

  reply = fleet.ask(bot, "Does Relay block spam?");
  REQUIRE(reply.status.ok());
  CHECK(reply.final_reply.answered());
  CHECK(reply.final_reply.text().find("Source: “What about spam?”") != std::string::npos);
  CHECK(reply.joined_deltas == reply.final_reply.text());
}

TEST_CASE("an unrelated question gets the plain don't-know reply") {
  Fleet fleet;
  auto bot = fleet.faq_bot("en");
  for (const std::string& question : {std::string("What is the capital of Australia?"),
                                      std::string("Recommend a good pizza recipe with mozzarella"),
                                      std::string("?")}) {
    INFO(question);
    auto reply = fleet.ask(bot, question);
    REQUIRE(reply.status.ok());
    REQUIRE(reply.final_count == 1);
    CHECK_FALSE(reply.final_reply.answered());
    CHECK(reply.final_reply.sources_size() == 0);
    CHECK(reply.final_reply.text() ==
          "Sorry, I don't know the answer to that — it isn't covered in my knowledge base.");
    CHECK(reply.joined_deltas == reply.final_reply.text());
  }
}

TEST_CASE("Russian and Uzbek bots answer in their language") {
  Fleet fleet;
  auto ru = fleet.faq_bot("ru");
  auto reply = fleet.ask(ru, "Как долго вы храните мои письма?");
  REQUIRE(reply.status.ok());
  INFO(reply.final_reply.text());
  CHECK(reply.final_reply.answered());
  CHECK(reply.final_reply.text().find("трёх дней") != std::string::npos);
  CHECK(reply.final_reply.text().find("Источник: «Relay хранит мои электронные письма?»") != std::string::npos);
  reply = fleet.ask(ru, "Какая погода в Лондоне?");
  REQUIRE(reply.status.ok());
  CHECK(reply.final_reply.text() == "Извините, я не знаю ответа на этот вопрос — его нет в моей базе знаний.");

  auto uz = fleet.faq_bot("uz");
  reply = fleet.ask(uz, "Common Voice ma'lumotlarini qanday yuklab olish mumkin?");
  REQUIRE(reply.status.ok());
  INFO(reply.final_reply.text());
  CHECK(reply.final_reply.answered());
  CHECK(reply.final_reply.text().find("Manba: “Qanday qilib Common Voice maʼlumotlarini olishim mumkin?”") !=
        std::string::npos);
}

TEST_CASE("another tenant's bot is NOT_FOUND through ai-proxy") {
  Fleet fleet;
  auto bot = fleet.faq_bot("en");
  bot.set_tenant_id("99999999-9999-4999-8999-999999999999");
  auto reply = fleet.ask(bot, "spam");
  CHECK(reply.status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(reply.status.error_message() == "bot not found");
  CHECK(reply.final_count == 0);
}
