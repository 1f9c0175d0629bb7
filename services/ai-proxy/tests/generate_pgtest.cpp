// End to end through two real gRPC services: ai-proxy's streaming Generate → bot-registry's
// SearchKnowledge (in process, real PostgreSQL via BOTFACTORY_TEST_PG) holding the real Mozilla
// FAQ fixture; plan limits from an in-test SubscriptionService.

#include <catch2/catch.hpp>

#include <string>

#include "chat_model_provider.hpp"
#include "fake_model_servers.hpp"
#include "openai_wire.hpp"
#include "proxy_harness.hpp"
#include "support/registry_harness.hpp"

using namespace botfactory;

namespace {

const std::string kTenant = "11111111-1111-4111-8111-111111111111";

/// bot-registry (real PostgreSQL) and ai-proxy in front of it (the bots' model configuration
/// from GetBotModelConfig), both on real gRPC servers.
struct Fleet {
  registry::test::RegistryHarness registry;
  ai::test::ProxyHarness ai;

  explicit Fleet(registry::RegistrySettings settings = {}) : registry(settings), ai(registry.address(), true) {}

  /// A bot of `language` whose knowledge base is the fixture's entries of that language.
  registry::v1::Bot faq_bot(const std::string& language) {
    auto bot = registry.create_bot(kTenant, "FAQ " + language, language);
    registry.add_faq(bot, language);
    return bot;
  }

  ai::test::GenerateResult ask(const registry::v1::Bot& bot, const std::string& question) {
    ai::v1::GenerateRequest request;
    request.set_tenant_id(bot.tenant_id());
    request.set_bot_id(bot.id());
    request.set_conversation_id("c1");
    request.set_language(bot.language());
    *request.mutable_provider() = bot.provider();
    request.set_user_text(question);
    auto reply = ai.generate(request);
    REQUIRE(reply.final_was_last);  // no delta after the final
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
  REQUIRE(reply.finals.size() == 1);
  const auto& final_reply = reply.final_reply();
  INFO(final_reply.text());
  CHECK(final_reply.answered());
  CHECK(final_reply.provider() == "extractive");
  CHECK(reply.deltas.size() > 1);
  CHECK(reply.joined_deltas() == final_reply.text());
  CHECK(final_reply.text().find("10 MB limit") != std::string::npos);
  CHECK(final_reply.text().find("Source: “Will Firefox Relay forward emails with attachments?”") !=
        std::string::npos);
  REQUIRE(final_reply.sources_size() == 1);
  CHECK(final_reply.sources(0).document_title() == "Will Firefox Relay forward emails with attachments?");
  CHECK(final_reply.sources(0).score() > 0.0);

  reply = fleet.ask(bot, "Does Relay block spam?");
  REQUIRE(reply.status.ok());
  CHECK(reply.final_reply().answered());
  CHECK(reply.final_reply().text().find("Source: “What about spam?”") != std::string::npos);
  CHECK(reply.joined_deltas() == reply.final_reply().text());
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
    REQUIRE(reply.finals.size() == 1);
    CHECK_FALSE(reply.final_reply().answered());
    CHECK(reply.final_reply().sources_size() == 0);
    CHECK(reply.final_reply().text() ==
          "Sorry, I don't know the answer to that — it isn't covered in my knowledge base.");
    CHECK(reply.joined_deltas() == reply.final_reply().text());
  }
}

TEST_CASE("Russian and Uzbek bots answer in their language") {
  Fleet fleet;
  auto ru = fleet.faq_bot("ru");
  auto reply = fleet.ask(ru, "Как долго вы храните мои письма?");
  REQUIRE(reply.status.ok());
  INFO(reply.final_reply().text());
  CHECK(reply.final_reply().answered());
  CHECK(reply.final_reply().text().find("трёх дней") != std::string::npos);
  CHECK(reply.final_reply().text().find("Источник: «Relay хранит мои электронные письма?»") != std::string::npos);
  reply = fleet.ask(ru, "Какая погода в Лондоне?");
  REQUIRE(reply.status.ok());
  CHECK(reply.final_reply().text() == "Извините, я не знаю ответа на этот вопрос — его нет в моей базе знаний.");

  auto uz = fleet.faq_bot("uz");
  reply = fleet.ask(uz, "Common Voice ma'lumotlarini qanday yuklab olish mumkin?");
  REQUIRE(reply.status.ok());
  INFO(reply.final_reply().text());
  CHECK(reply.final_reply().answered());
  CHECK(reply.final_reply().text().find("Manba: “Qanday qilib Common Voice maʼlumotlarini olishim mumkin?”") !=
        std::string::npos);
}

TEST_CASE("another tenant's bot is NOT_FOUND through ai-proxy") {
  Fleet fleet;
  auto bot = fleet.faq_bot("en");
  bot.set_tenant_id("99999999-9999-4999-8999-999999999999");
  auto reply = fleet.ask(bot, "spam");
  CHECK(reply.status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(reply.status.error_message() == "bot not found");
  CHECK(reply.finals.size() == 0);
}

TEST_CASE("one bot with en / ru / uz entries answers in the visitor's language; small talk needs no search") {
  Fleet fleet;
  auto bot = fleet.registry.create_bot(kTenant, "FAQ trilingual", "en");
  for (const char* language : {"en", "ru", "uz"}) fleet.registry.add_faq(bot, language);

  struct Case {
    std::string question, expected;
  };
  for (const auto& c : std::vector<Case>{
           {"Does Relay block spam?", "Source: “What about spam?”"},
           {"Relay блокирует спам?", "Источник: «Что насчёт спама?»"},
           {"Что насчёт спама?", "Источник: «Что насчёт спама?»"},
           {"Qanday qilib Common Voice maʼlumotlarini olishim mumkin?",
            "Manba: “Qanday qilib Common Voice maʼlumotlarini olishim mumkin?”"}}) {
    INFO(c.question);
    auto reply = fleet.ask(bot, c.question);
    REQUIRE(reply.status.ok());
    INFO(reply.final_reply().text());
    CHECK(reply.final_reply().answered());
    CHECK(reply.final_reply().text().find(c.expected) != std::string::npos);
    CHECK(reply.final_reply().sources_size() == 1);
  }
  for (const auto& c : std::vector<Case>{
           {"hello", "Hello! Ask me a question and I'll answer from my knowledge base."},
           {"Привет!", "Здравствуйте! Задайте вопрос — я отвечу по своей базе знаний."},
           {"Rahmat", "Arzimaydi! Yana savolingiz bormi?"},
           {"Who made you?",
            "I'm this site's help bot, made with BotFactory. I answer from the site's knowledge base and name my source."}}) {
    INFO(c.question);
    auto reply = fleet.ask(bot, c.question);
    REQUIRE(reply.status.ok());
    CHECK(reply.final_reply().text() == c.expected);
    CHECK(reply.final_reply().answered());
    CHECK(reply.final_reply().sources_size() == 0);
    CHECK(reply.joined_deltas() == c.expected);
  }
}

TEST_CASE("the relevance gate says it does not know, in the visitor's language, when the best chunk does not answer") {
  Fleet fleet;
  auto bot = fleet.registry.create_bot(kTenant, "FAQ gate", "en");
  for (const char* language : {"en", "ru", "uz"}) fleet.registry.add_faq(bot, language);
  struct Case {
    std::string question, expected;
  };
  for (const auto& c : std::vector<Case>{
           // Shares "Relay", "mask", "use" with the knowledge base: retrieved, but covers too
           // little of the question (the old 25 % gate quoted it).
           {"Can I use my Relay mask to pay for pizza delivery and groceries?",
            "Sorry, I don't know the answer to that — it isn't covered in my knowledge base."},
           {"What is the capital of Australia?",
            "Sorry, I don't know the answer to that — it isn't covered in my knowledge base."},
           {"Какая погода в Лондоне?", "Извините, я не знаю ответа на этот вопрос — его нет в моей базе знаний."},
           {"Toshkentda ob-havo qanday?", "Kechirasiz, bu savolga javobni bilmayman — u mening bilim bazamda yo‘q."}}) {
    INFO(c.question);
    auto reply = fleet.ask(bot, c.question);
    REQUIRE(reply.status.ok());
    CHECK(reply.final_reply().text() == c.expected);
    CHECK_FALSE(reply.final_reply().answered());
    CHECK(reply.final_reply().sources_size() == 0);
  }
}

TEST_CASE("an openai bot answers with the platform key from bot-registry; its tenant's own key wins") {
  ai::test::FakeOpenAi platform_model("sk-platform-key-000000");
  platform_model.reply = "Attachments up to 10 MB are forwarded [1].";
  registry::RegistrySettings settings;
  auto platform = std::make_shared<registry::PlatformKeys>();
  platform->set("openai", {"sk-platform-key-000000", ""});
  settings.platform_keys = platform;
  settings.tenant_private_addresses = true;  // the tenant's own "server" below runs on 127.0.0.1
  Fleet fleet(settings);
  ai::ChatModelSettings model;
  model.default_model = "gpt-4o-mini";
  model.tenant_private_addresses = true;
  fleet.ai.providers->add(std::make_shared<ai::ChatModelProvider>(
      std::make_shared<ai::OpenAiWire>(platform_model.base_url()), std::make_shared<http::Client>(), fleet.ai.search, model));

  auto bot = fleet.registry.create_bot(kTenant, "Model FAQ", "en");
  fleet.registry.add_faq(bot, "en");
  registry::v1::UpdateBotRequest update;
  update.set_tenant_id(kTenant);
  update.set_bot_id(bot.id());
  update.mutable_provider()->set_provider("openai");
  bot = fleet.registry.call_ok(&registry::v1::BotRegistryService::Stub::UpdateBot, update);
  CHECK(bot.effective_answerer() == "openai");

  auto reply = fleet.ask(bot, "Is there a size limit for attachments?");
  REQUIRE(reply.status.ok());
  CHECK(reply.final_reply().provider() == "openai");
  CHECK(reply.final_reply().fallback_reason().empty());
  CHECK(reply.final_reply().text() == platform_model.reply);
  CHECK(reply.final_reply().usage().completion_tokens() == 5);
  REQUIRE(reply.final_reply().sources_size() >= 1);
  CHECK(reply.joined_deltas() == reply.final_reply().text());
  REQUIRE(platform_model.requests().size() == 1);
  CHECK(platform_model.requests()[0].headers.at("authorization") == "Bearer sk-platform-key-000000");

  // Out of knowledge: the real relevance gate answers without a model call.
  reply = fleet.ask(bot, "What is the capital of Australia?");
  REQUIRE(reply.status.ok());
  CHECK_FALSE(reply.final_reply().answered());
  CHECK(reply.final_reply().text() == ai::ExtractiveProvider::dont_know_text("en"));
  CHECK(platform_model.requests().size() == 1);

  // The tenant's own key (with its own server) wins over the platform's.
  ai::test::FakeOpenAi tenant_model("sk-tenant-own-key-1111");
  registry::v1::SetProviderKeyRequest key;
  key.set_tenant_id(kTenant);
  key.set_provider("openai");
  key.set_key("sk-tenant-own-key-1111");
  key.set_base_url(tenant_model.base_url());
  fleet.registry.call_ok(&registry::v1::BotRegistryService::Stub::SetProviderKey, key);
  reply = fleet.ask(bot, "Is there a size limit for attachments?");
  REQUIRE(reply.status.ok());
  CHECK(reply.final_reply().text() == tenant_model.reply);
  CHECK(tenant_model.requests().size() == 1);
  CHECK(platform_model.requests().size() == 1);
}
