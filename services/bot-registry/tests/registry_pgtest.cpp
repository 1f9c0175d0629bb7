// Integration tests of bot-registry: real PostgreSQL (BOTFACTORY_TEST_PG), the real gRPC
// service on 127.0.0.1:0, and an in-test SubscriptionService gRPC server for the plan limits.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <tuple>

#include "bot_registry.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "migrations.hpp"
#include "botfactory/common/ids.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/status.hpp"
#include "entitlements.hpp"
#include "support/fake_subscription.hpp"
#include "support/registry_harness.hpp"
#include "validation.hpp"

using namespace botfactory;
namespace v1 = botfactory::registry::v1;
using Stub = v1::BotRegistryService::Stub;

namespace {

const std::string kTenantA = "11111111-1111-4111-8111-111111111111";
const std::string kTenantB = "22222222-2222-4222-8222-222222222222";

using Harness = registry::test::RegistryHarness;

}  // namespace

TEST_CASE("bots: create, get, list, update only given fields, delete") {
  Harness h;
  auto bot = h.create_bot(kTenantA, "  Support  ");
  CHECK(bot.name() == "Support");
  CHECK(bot.language() == "en");
  CHECK(bot.provider().provider() == "extractive");
  CHECK(bot.tenant_id() == kTenantA);
  CHECK(common::is_uuid(bot.id()));
  CHECK(registry::is_public_id(bot.public_id()));
  CHECK(bot.created_at().seconds() > 0);

  v1::GetBotRequest get;
  get.set_tenant_id(kTenantA);
  get.set_bot_id(bot.id());
  auto got = h.call_ok(&Stub::GetBot, get);
  CHECK(got.public_id() == bot.public_id());

  v1::CreateBotRequest full;
  full.set_tenant_id(kTenantA);
  full.set_name("Продажи");
  full.set_language("ru");
  full.set_greeting("Здравствуйте!");
  full.set_instructions("Отвечай кратко.");
  full.mutable_provider()->set_provider("gemini");
  full.mutable_provider()->set_model("gemini-2.0-flash");
  full.mutable_provider()->set_temperature(0.7);
  auto second = h.call_ok(&Stub::CreateBot, full);
  CHECK(second.greeting() == "Здравствуйте!");
  CHECK(second.provider().temperature() == 0.7);

  v1::ListBotsRequest list;
  list.set_tenant_id(kTenantA);
  auto listed = h.call_ok(&Stub::ListBots, list);
  REQUIRE(listed.bots_size() == 2);
  CHECK(listed.bots(0).id() == bot.id());
  CHECK(listed.bots(1).id() == second.id());

  // Only the name changes; greeting, instructions, language and provider stay.
  v1::UpdateBotRequest update;
  update.set_tenant_id(kTenantA);
  update.set_bot_id(second.id());
  update.set_name("Sales");
  auto updated = h.call_ok(&Stub::UpdateBot, update);
  CHECK(updated.name() == "Sales");
  CHECK(updated.greeting() == "Здравствуйте!");
  CHECK(updated.instructions() == "Отвечай кратко.");
  CHECK(updated.language() == "ru");
  CHECK(updated.provider().provider() == "gemini");
  CHECK(updated.provider().model() == "gemini-2.0-flash");
  CHECK(updated.public_id() == second.public_id());

  // An empty greeting is a value, not "absent"; the provider is replaced as a whole.
  v1::UpdateBotRequest update2;
  update2.set_tenant_id(kTenantA);
  update2.set_bot_id(second.id());
  update2.set_greeting("");
  update2.mutable_provider()->set_provider("openai");
  REQUIRE(h.call(&Stub::UpdateBot, update2, &updated).ok());
  CHECK(updated.greeting().empty());
  CHECK(updated.name() == "Sales");
  CHECK(updated.provider().provider() == "openai");
  CHECK(updated.provider().model() == registry::kDefaultOpenAiModel);  // no model: the default

  v1::DeleteBotRequest del;
  del.set_tenant_id(kTenantA);
  del.set_bot_id(bot.id());
  auto deleted = h.call_ok(&Stub::DeleteBot, del);
  auto status = h.call(&Stub::GetBot, get, &got);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(h.call(&Stub::DeleteBot, del, &deleted).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("bots: invalid fields are INVALID_ARGUMENT") {
  Harness h;
  auto expect_invalid = [&](const std::function<void(v1::CreateBotRequest&)>& edit) {
    v1::CreateBotRequest request;
    request.set_tenant_id(kTenantA);
    request.set_name("ok");
    edit(request);
    v1::Bot bot;
    auto status = h.call(&Stub::CreateBot, request, &bot);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  };
  expect_invalid([](auto& r) { r.set_name(""); });
  expect_invalid([](auto& r) { r.set_name(std::string(101, 'n')); });
  expect_invalid([](auto& r) { r.set_language("fr"); });
  expect_invalid([](auto& r) { r.set_greeting(std::string(1001, 'g')); });
  expect_invalid([](auto& r) { r.set_instructions(std::string(4001, 'i')); });
  expect_invalid([](auto& r) { r.mutable_provider()->set_provider("llama"); });
  expect_invalid([](auto& r) { r.mutable_provider()->set_temperature(2.5); });
  expect_invalid([](auto& r) { r.set_tenant_id("not-a-uuid"); });

  auto bot = h.create_bot(kTenantA, "Docs");
  v1::AddDocumentRequest add;
  add.set_tenant_id(kTenantA);
  add.set_bot_id(bot.id());
  add.set_title("");
  add.set_body("text");
  v1::Document document;
  CHECK(h.call(&Stub::AddDocument, add, &document).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  add.set_title(std::string(201, 't'));
  CHECK(h.call(&Stub::AddDocument, add, &document).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  add.set_title("Title");
  add.set_body("   \n ");
  CHECK(h.call(&Stub::AddDocument, add, &document).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  add.set_body("<script>only()</script>");
  add.set_format(v1::DOCUMENT_FORMAT_HTML);
  auto status = h.call(&Stub::AddDocument, add, &document);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "body has no text");
  CHECK(h.count("SELECT count(*) FROM registry.documents") == 0);
}

TEST_CASE("another tenant's bot and malformed bot ids are NOT_FOUND \"bot not found\"") {
  Harness h;
  auto bot = h.create_bot(kTenantA, "Private");
  h.add_document(bot, "Hours", "We are open from nine to five.");

  for (const auto& [tenant, bot_id] : std::vector<std::pair<std::string, std::string>>{
           {kTenantB, bot.id()}, {kTenantA, "not-a-uuid"},
           {kTenantA, "33333333-3333-4333-8333-333333333333"}}) {
    INFO(tenant << " " << bot_id);
    auto expect_not_found = [](const grpc::Status& status) {
      CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
      CHECK(status.error_message() == "bot not found");
    };
    v1::GetBotRequest get;
    get.set_tenant_id(tenant);
    get.set_bot_id(bot_id);
    v1::Bot out;
    expect_not_found(h.call(&Stub::GetBot, get, &out));
    v1::UpdateBotRequest update;
    update.set_tenant_id(tenant);
    update.set_bot_id(bot_id);
    update.set_name("stolen");
    expect_not_found(h.call(&Stub::UpdateBot, update, &out));
    v1::DeleteBotRequest del;
    del.set_tenant_id(tenant);
    del.set_bot_id(bot_id);
    v1::DeleteBotResponse deleted;
    expect_not_found(h.call(&Stub::DeleteBot, del, &deleted));
    v1::AddDocumentRequest add;
    add.set_tenant_id(tenant);
    add.set_bot_id(bot_id);
    add.set_title("t");
    add.set_body("b");
    v1::Document document;
    expect_not_found(h.call(&Stub::AddDocument, add, &document));
    v1::ListDocumentsRequest list;
    list.set_tenant_id(tenant);
    list.set_bot_id(bot_id);
    v1::ListDocumentsResponse documents;
    expect_not_found(h.call(&Stub::ListDocuments, list, &documents));
    v1::DeleteDocumentRequest del_doc;
    del_doc.set_tenant_id(tenant);
    del_doc.set_bot_id(bot_id);
    del_doc.set_document_id(bot_id);
    v1::DeleteDocumentResponse doc_deleted;
    expect_not_found(h.call(&Stub::DeleteDocument, del_doc, &doc_deleted));
    v1::SearchKnowledgeRequest search;
    search.set_tenant_id(tenant);
    search.set_bot_id(bot_id);
    search.set_query("open");
    v1::SearchKnowledgeResponse found;
    expect_not_found(h.call(&Stub::SearchKnowledge, search, &found));
  }
  v1::ListBotsRequest list;
  list.set_tenant_id(kTenantB);
  auto listed = h.call_ok(&Stub::ListBots, list);
  CHECK(listed.bots_size() == 0);
  // Nothing of tenant A's bot changed.
  CHECK(h.count("SELECT count(*) FROM registry.bots WHERE name = 'Private'") == 1);
  CHECK(h.count("SELECT count(*) FROM registry.documents") == 1);
}

TEST_CASE("the widget finds a bot by its public id only") {
  Harness h;
  auto bot = h.create_bot(kTenantA, "Widget bot", "uz");
  v1::GetBotByPublicIdRequest request;
  request.set_public_id(bot.public_id());
  auto found = h.call_ok(&Stub::GetBotByPublicId, request);
  CHECK(found.id() == bot.id());
  CHECK(found.language() == "uz");
  for (const std::string& unknown : {std::string("pb_0000000000000000"), std::string("pb_short"),
                                     std::string("' OR 1=1 --"), bot.id()}) {
    request.set_public_id(unknown);
    auto status = h.call(&Stub::GetBotByPublicId, request, &found);
    CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(status.error_message() == "bot not found");
  }
}

TEST_CASE("documents: HTML and Markdown are stripped, chunked and listed; delete cascades") {
  Harness h;
  auto bot = h.create_bot(kTenantA, "Shop");
  const std::string html =
      "<html><head><style>.x{}</style></head><body><h2>Delivery</h2>"
      "<p>We deliver to Tashkent &amp; Samarkand in <b>two</b> days.</p>"
      "<script>alert('x')</script></body></html>";
  auto doc = h.add_document(bot, "Delivery page", html, v1::DOCUMENT_FORMAT_HTML);
  CHECK(doc.format() == v1::DOCUMENT_FORMAT_HTML);
  CHECK(doc.size_bytes() == static_cast<std::int64_t>(html.size()));
  CHECK(doc.chunk_count() == 1);
  {
    auto connection = h.pool->acquire();
    auto chunks = connection->exec("SELECT text FROM registry.chunks WHERE document_id = $1::uuid",
                                   {doc.id()});
    REQUIRE(chunks.rows() == 1);
    CHECK(chunks.str(0, 0) == "Delivery\n\nWe deliver to Tashkent & Samarkand in two days.");
  }

  // A Markdown FAQ: each question heading starts its own chunk with its answer.
  std::string markdown = "# Store FAQ\n\n";
  for (int i = 1; i <= 6; ++i) {
    markdown += "## Question number " + std::to_string(i) + "?\n\n";
    markdown += "The **answer** to [question](https://x.example/" + std::to_string(i) + ") " +
                std::to_string(i) + " is here. " + std::string(300, 'z') + "\n\n";
  }
  auto faq = h.add_document(bot, "Store FAQ", markdown, v1::DOCUMENT_FORMAT_MARKDOWN);
  CHECK(faq.chunk_count() == 7);
  {
    auto connection = h.pool->acquire();
    auto chunks = connection->exec(
        "SELECT ordinal, text FROM registry.chunks WHERE document_id = $1::uuid ORDER BY ordinal",
        {faq.id()});
    REQUIRE(chunks.rows() == 7);
    CHECK(chunks.str(0, 1) == "Store FAQ");
    CHECK(chunks.str(1, 1).rfind("Question number 1?\n\nThe answer to question 1 is here.", 0) == 0);
    for (int r = 0; r < chunks.rows(); ++r) {
      CHECK(chunks.int64(r, 0) == r);
      CHECK(chunks.str(r, 1).find_first_of("*[]#") == std::string::npos);
    }
  }
  auto hits = h.search(bot, "deliver to Samarkand");
  REQUIRE_FALSE(hits.empty());
  CHECK(hits[0].document_id() == doc.id());
  CHECK(hits[0].document_title() == "Delivery page");

  v1::ListDocumentsRequest list;
  list.set_tenant_id(kTenantA);
  list.set_bot_id(bot.id());
  auto listed = h.call_ok(&Stub::ListDocuments, list);
  REQUIRE(listed.documents_size() == 2);
  CHECK(listed.documents(0).title() == "Delivery page");
  CHECK(listed.documents(1).format() == v1::DOCUMENT_FORMAT_MARKDOWN);
  CHECK(listed.documents(1).chunk_count() == 7);

  // Deleting a document removes its chunks from search.
  v1::DeleteDocumentRequest del_doc;
  del_doc.set_tenant_id(kTenantA);
  del_doc.set_bot_id(bot.id());
  del_doc.set_document_id(doc.id());
  auto terms_before = h.count("SELECT count(*) FROM registry.chunk_terms");
  CHECK(terms_before > 0);
  auto doc_deleted = h.call_ok(&Stub::DeleteDocument, del_doc);
  CHECK(h.search(bot, "deliver to Samarkand").empty());
  CHECK(h.count("SELECT count(*) FROM registry.chunk_terms") < terms_before);
  auto again = h.call(&Stub::DeleteDocument, del_doc, &doc_deleted);
  CHECK(again.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(again.error_message() == "document not found");

  // Deleting the bot removes its documents and chunks.
  v1::DeleteBotRequest del;
  del.set_tenant_id(kTenantA);
  del.set_bot_id(bot.id());
  h.call_ok(&Stub::DeleteBot, del);
  CHECK(h.count("SELECT count(*) FROM registry.documents") == 0);
  CHECK(h.count("SELECT count(*) FROM registry.chunks") == 0);
  CHECK(h.count("SELECT count(*) FROM registry.chunk_terms") == 0);
}

TEST_CASE("plan limits from the subscription service") {
  Harness h;
  h.subscription.service.max_bots = 2;
  h.create_bot(kTenantA, "one");
  auto two = h.create_bot(kTenantA, "two");
  v1::CreateBotRequest request;
  request.set_tenant_id(kTenantA);
  request.set_name("three");
  v1::Bot bot;
  auto status = h.call(&Stub::CreateBot, request, &bot);
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(status.error_message() == "plan limit reached: 2 bots");
  CHECK(h.subscription.service.calls >= 3);
  // Another tenant has its own count; a deleted bot frees a slot.
  h.create_bot(kTenantB, "other tenant");
  v1::DeleteBotRequest del;
  del.set_tenant_id(kTenantA);
  del.set_bot_id(two.id());
  h.call_ok(&Stub::DeleteBot, del);
  CHECK(h.call(&Stub::CreateBot, request, &bot).ok());

  // Knowledge size: the sum of body bytes per bot.
  h.subscription.service.max_knowledge_bytes = 1000;
  h.add_document(bot, "first", std::string(600, 'a') + " words");
  v1::AddDocumentRequest add;
  add.set_tenant_id(kTenantA);
  add.set_bot_id(bot.id());
  add.set_title("second");
  add.set_body(std::string(500, 'b'));
  v1::Document document;
  status = h.call(&Stub::AddDocument, add, &document);
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(status.error_message() == "plan limit reached: 1000 bytes of knowledge per bot");
  CHECK(h.count("SELECT count(*) FROM registry.documents WHERE title = 'second'") == 0);
  add.set_body(std::string(394, 'c'));  // 606 + 394 = 1000 exactly fits
  CHECK(h.call(&Stub::AddDocument, add, &document).ok());
}

TEST_CASE("concurrent creates cannot pass the bot limit") {
  Harness h;
  h.subscription.service.max_bots = 1;
  std::atomic<int> ok{0}, exhausted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      v1::CreateBotRequest request;
      request.set_tenant_id(kTenantA);
      request.set_name("racer " + std::to_string(i));
      v1::Bot bot;
      auto status = h.call(&Stub::CreateBot, request, &bot);
      if (status.ok()) ++ok;
      if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) ++exhausted;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 1);
  CHECK(exhausted == 3);
  CHECK(h.count("SELECT count(*) FROM registry.bots") == 1);
}

TEST_CASE("an unreachable subscription service is UNAVAILABLE and nothing is created") {
  Harness h;
  int dead_port;
  {
    registry::test::FakeSubscriptionServer temporary;
    dead_port = temporary.server.port();
  }
  auto entitlements = std::make_shared<registry::GrpcEntitlementsClient>(
      rpc::make_channel("127.0.0.1:" + std::to_string(dead_port)), std::chrono::milliseconds(1000));
  registry::BotRegistry bots(h.pool, entitlements);
  v1::CreateBotRequest request;
  request.set_tenant_id(kTenantA);
  request.set_name("no plan");
  try {
    bots.create_bot(request);
    FAIL("create_bot must fail");
  } catch (const rpc::StatusError& e) {
    CHECK(e.code() == grpc::StatusCode::UNAVAILABLE);
  }
  CHECK(h.count("SELECT count(*) FROM registry.bots") == 0);
}

TEST_CASE("search ranks the relevant FAQ entry first (real Mozilla FAQ, en/ru/uz)") {
  Harness h;
  h.subscription.service.max_bots = 10;
  auto en = h.create_bot(kTenantA, "Relay EN", "en");
  auto en_docs = h.add_faq(en, "en");
  struct Case {
    std::string query, expected;
  };
  for (const auto& c : std::vector<Case>{
           {"Does Relay filter spam and malware?", "relay-spam-en"},
           {"is there a size limit for attachments", "relay-attachments-en"},
           {"which countries can buy Relay Premium", "relay-availability-en"},
           {"how long do you store my emails", "relay-email-storage-en"},
           {"can I reply to a forwarded email", "relay-replies-en"},
           {"what websites data do you collect", "relay-data-collection-en"},
       }) {
    INFO(c.query);
    auto hits = h.search(en, c.query);
    REQUIRE_FALSE(hits.empty());
    CHECK(hits.size() <= 3);
    CHECK(en_docs[hits[0].document_id()] == c.expected);
    for (std::size_t i = 1; i < hits.size(); ++i) CHECK(hits[i - 1].score() >= hits[i].score());
    CHECK(hits[0].score() > 0.0);
    CHECK_FALSE(hits[0].text().empty());
  }
  CHECK(h.search(en, "").empty());
  CHECK(h.search(en, "?! ...").empty());
  CHECK(h.search(en, "the and of is").empty());  // English stop words only
  CHECK(h.search(en, "quantum chromodynamics lecture").empty());
  CHECK(h.search(en, "Relay email", 1).size() == 1);
  CHECK(h.search(en, "Relay email", 100).size() <= 20);
  CHECK(h.search(en, "Relay email", 100).size() > 3);
  CHECK(h.search(en, "it's 'quoted' & (weird) | !chars: \\ email").size() > 0);

  auto ru = h.create_bot(kTenantA, "Relay RU", "ru");
  auto ru_docs = h.add_faq(ru, "ru");
  for (const auto& c : std::vector<Case>{
           {"Relay фильтрует спам?", "relay-spam-ru"},
           {"сколько дней вы храните письма", "relay-email-storage-ru"},
           {"можно ли пересылать вложения", "relay-attachments-ru"},
       }) {
    INFO(c.query);
    auto hits = h.search(ru, c.query);
    REQUIRE_FALSE(hits.empty());
    CHECK(ru_docs[hits[0].document_id()] == c.expected);
  }

  auto uz = h.create_bot(kTenantA, "Common Voice UZ", "uz");
  auto uz_docs = h.add_faq(uz, "uz");
  auto hits = h.search(uz, "ma'lumotlar bazasini qanday yuklab olish mumkin");
  REQUIRE_FALSE(hits.empty());
  CHECK(uz_docs[hits[0].document_id()] == "commonvoice-how-get-uz");
  hits = h.search(uz, "anonimligi qanday himoya qilinadi");
  REQUIRE_FALSE(hits.empty());
  CHECK(uz_docs[hits[0].document_id()] == "commonvoice-how-privacy-uz");
}

TEST_CASE("changing a bot's language re-indexes its chunks") {
  Harness h;
  auto bot = h.create_bot(kTenantA, "Switcher", "en");
  h.add_document(bot, "Хранение", "Мы никогда не храним ваши письма дольше трёх дней.");
  // English has no Russian stemmer: another inflection does not match.
  CHECK(h.search(bot, "хранит").empty());
  v1::UpdateBotRequest update;
  update.set_tenant_id(kTenantA);
  update.set_bot_id(bot.id());
  update.set_language("ru");
  auto updated = h.call_ok(&Stub::UpdateBot, update);
  CHECK(updated.language() == "ru");
  bot.set_language("ru");
  CHECK(h.search(bot, "хранит").size() == 1);
}

TEST_CASE("Uzbek folding: Cyrillic letters map to the 1995 Latin alphabet, apostrophes to '") {
  Harness h;
  for (auto [cyrillic, latin] : std::vector<std::pair<std::string, std::string>>{
           {"Маълумотлар базаси", "ma'lumotlar bazasi"},
           {"ЎЗБЕКИСТОН ёзуви", "o'zbekiston yozuvi"},
           {"ер поезд лицензия цирк", "yer poyezd litsenziya sirk"},
           {"қўшиқ ғоя ҳаво чой шаҳар жон юз ярим", "qo'shiq g'oya havo choy shahar jon yuz yarim"},
           {"oʻzbek o‘zbek o’zbek o`zbek maʼlumot", "o'zbek o'zbek o'zbek o'zbek ma'lumot"},
           {"Common Voice 2021", "common voice 2021"},
       }) {
    INFO(cyrillic);
    std::string quoted;  // an SQL literal of the expected folding
    for (char c : latin) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    CHECK(h.count("SELECT count(*) FROM (SELECT registry.uz_latin('" + cyrillic + "') AS f) x "
                  "WHERE f = '" + quoted + "'") == 1);
  }
  CHECK(h.count("SELECT count(*) WHERE registry.search_text('ru', 'ёж') = 'ёж'") == 1);
}

TEST_CASE("Uzbek folding: Latin and Cyrillic spellings find each other, other languages unfolded") {
  Harness h;
  auto uz = h.create_bot(kTenantA, "Uzbek", "uz");
  auto cyrillic = h.add_document(uz, "Маълумотлар", "Маълумотлар базасини қандай юклаб олиш мумкин?");
  auto latin = h.add_document(uz, "Ovoz", "Oʻzbek tilida ovozingizni yozib olishingiz mumkin.");
  h.add_document(uz, "Boshqa", "Hisobingizni sozlamalar sahifasida o'chirishingiz mumkin.");
  for (const std::string query :
       {"ma'lumotlar bazasini qanday yuklab olish", "maʼlumotlar bazasini yuklab", "МАЪЛУМОТЛАР базасини"}) {
    INFO(query);
    auto hits = h.search(uz, query, 1);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].document_id() == cyrillic.id());
  }
  for (const std::string query : {"ўзбек тилида овоз ёзиб олиш", "o‘zbek tilida ovoz", "o'zbek tilida ovoz"}) {
    INFO(query);
    auto hits = h.search(uz, query, 1);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].document_id() == latin.id());
  }
  // A Russian bot is not folded: Cyrillic does not find Latin.
  auto ru = h.create_bot(kTenantA, "Russian", "ru");
  h.add_document(ru, "Ovoz", "Oʻzbek tilida ovozingizni yozib olishingiz mumkin.");
  CHECK(h.search(ru, "тилида").empty());
  // Switching a bot to Uzbek re-indexes its chunks folded.
  v1::UpdateBotRequest update;
  update.set_tenant_id(kTenantA);
  update.set_bot_id(ru.id());
  update.set_language("uz");
  h.call_ok(&Stub::UpdateBot, update);
  ru.set_language("uz");
  CHECK(h.search(ru, "тилида").size() == 1);
}

TEST_CASE("prefix stems: Uzbek words cut to 5 letters, Russian to 6 before the stemmer") {
  Harness h;
  auto uz = h.create_bot(kTenantA, "Uzbek", "uz");
  auto data = h.add_document(uz, "Baza", "Bizning maʼlumotlar bazamiz ochiq.");
  h.add_document(uz, "Hisob", "Hisobingizni sozlamalar sahifasida o'chirishingiz mumkin.");
  // ma'lumotlarini / маълумотингиз -> ma + lumot; bazasini -> bazas, bazamiz -> bazam: no match.
  for (const std::string query : {"ma'lumotlarini", "маълумотингиз"}) {
    INFO(query);
    auto hits = h.search(uz, query, 1);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].document_id() == data.id());
  }
  CHECK(h.count("SELECT count(*) WHERE registry.search_text('uz', 'Sozlamalaringiz 2021') = "
                "'sozla 2021'") == 1);
  CHECK(h.count("SELECT count(*) WHERE registry.search_text('ru', 'Хранение писем') = "
                "'Хранен писем'") == 1);
  CHECK(h.count("SELECT count(*) WHERE registry.search_text('en', 'Storage') = 'Storage'") == 1);
  auto ru = h.create_bot(kTenantA, "Russian", "ru");
  auto storage = h.add_document(ru, "Письма", "Мы храним ваши письма не дольше трёх дней.");
  h.add_document(ru, "Вложения", "Вложения больше 10 МБ не пересылаются.");
  auto hits = h.search(ru, "хранение", 1);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].document_id() == storage.id());
}

TEST_CASE("V005/V006 backfill: chunks indexed before them are folded and searchable") {
  testenv::TestDatabase db;
  pg::Connection sql(db.conninfo());
  std::vector<pg::Migration> before, all = migrations::registry_migrations();
  for (const auto& m : all) {
    if (m.version < 5) before.push_back(m);
  }
  pg::migrate(sql, "registry", before);
  // A Cyrillic Uzbek chunk and a Russian one, indexed the V002 way.
  for (auto [language, config, text] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"uz", "simple", "Маълумотлар базасини юклаб олиш"},
           {"ru", "russian", "Мы храним ваши письма три дня"}}) {
    auto bot = sql.exec("INSERT INTO registry.bots (tenant_id, public_id, name, language) VALUES "
                        "($1::uuid, 'old-' || $2, 'old', $2) RETURNING id::text", {kTenantA, language}).str(0, 0);
    auto doc = sql.exec("INSERT INTO registry.documents (bot_id, title, format, body, size_bytes, "
                        "chunk_count) VALUES ($1::uuid, 'FAQ', 'text', $2, 1, 1) RETURNING id::text",
                        {bot, text}).str(0, 0);
    sql.exec("INSERT INTO registry.chunks (document_id, bot_id, ordinal, text, tsv) VALUES ($1::uuid, "
             "$2::uuid, 0, $3, setweight(to_tsvector($4::regconfig, 'FAQ'), 'A') || "
             "setweight(to_tsvector($4::regconfig, $3), 'B'))", {doc, bot, text, config});
    sql.exec("INSERT INTO registry.chunk_terms (bot_id, lexeme, chunk_id, tf) SELECT c.bot_id, "
             "u.lexeme, c.id, registry.bm25_tf(u.positions, u.weights) FROM registry.chunks c, "
             "unnest(c.tsv) AS u WHERE c.bot_id = $1::uuid", {bot});
  }
  pg::migrate(sql, "registry", all);
  auto pool = std::make_shared<pg::Pool>(db.conninfo(), 1);
  class NoLimits : public botfactory::registry::EntitlementsClient {
   public:
    botfactory::registry::PlanLimits limits(const std::string&) override { return {}; }
  };
  botfactory::registry::BotRegistry service(pool, std::make_shared<NoLimits>());
  for (auto [language, query] : std::vector<std::pair<std::string, std::string>>{
           {"uz", "ma'lumotlarni yuklab olish"}, {"ru", "хранение писем"}}) {
    INFO(query);
    v1::SearchKnowledgeRequest search;
    search.set_tenant_id(kTenantA);
    search.set_bot_id(sql.exec("SELECT id::text FROM registry.bots WHERE language = $1",
                               {language}).str(0, 0));
    search.set_query(query);
    search.set_limit(5);
    CHECK(service.search_knowledge(search).chunks_size() == 1);
  }
  CHECK(sql.exec("SELECT count(*) FROM registry.chunk_terms t JOIN registry.chunks c "
                 "ON c.id = t.chunk_id WHERE t.len <> c.term_count").int64(0, 0) == 0);
}

TEST_CASE("BM25F: rare words outweigh common ones, the title counts twice, length is normalised") {
  Harness h;
  auto bot = h.create_bot(kTenantA, "Ranking", "en");
  // "order" is in every document (low idf); "refund" and "invoice" in one each.
  auto refund = h.add_document(bot, "Refunds", "We refund an order within 14 days.");
  auto invoice = h.add_document(bot, "Invoices", "Every order comes with an invoice by email.");
  auto shipping = h.add_document(
      bot, "Shipping",
      "An order ships in two days. Tracking of the order is by email. A large order may ship in "
      "parts; each part of the order has its own tracking number and each is insured.");
  auto hits = h.search(bot, "refund for my order", 3);
  REQUIRE(hits.size() == 3);
  CHECK(hits[0].document_id() == refund.id());
  CHECK(hits[0].score() > 2 * hits[1].score());

  // One occurrence in the title scores like two in the text: the invoice document, with
  // "invoice" in both, beats a document that says it once in a text of the same length.
  auto mention = h.add_document(bot, "Billing", "Every bill comes with an invoice by email.");
  hits = h.search(bot, "invoice", 2);
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].document_id() == invoice.id());
  CHECK(hits[1].document_id() == mention.id());

  // The same tf in a longer chunk scores lower (b = 0.75).
  hits = h.search(bot, "tracking", 1);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].document_id() == shipping.id());
  auto short_tracking = h.add_document(bot, "Parcels", "Tracking twice: tracking by email.");
  hits = h.search(bot, "tracking", 2);
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].document_id() == short_tracking.id());
  CHECK(hits[1].document_id() == shipping.id());
}
