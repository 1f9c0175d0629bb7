// SearchKnowledge's sentence-encoder re-rank end to end with the real USE-lite model
// (tools/sentence-encoder/use-lite-en.bfse, made by scripts/setup.sh), real PostgreSQL
// (BOTFACTORY_TEST_PG) and the real gRPC service: the embedding backfill worker, the re-rank on
// both search paths, two workers on one database, a missing model, V020 on existing chunks,
// only English bots' rows queued (V021) and a language change queueing or dropping them, and no
// pooled connection held while the question is embedded.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "botfactory/pg/migrator.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "embedding_backfill.hpp"
#include "migrations.hpp"
#include "sentence_encoder.hpp"
#include "support/registry_harness.hpp"

using namespace botfactory;

namespace {

const std::string kTenant = "77777777-7777-4777-8777-777777777777";
const std::string kShip = "Can I do holidays on a ship?";
const std::string kCruiseTitle = "Should I go on a cruise?";

using Harness = registry::test::RegistryHarness;
using registry::test::search_in;

std::shared_ptr<const registry::SentenceEncoder> real_encoder() {
  static std::shared_ptr<const registry::SentenceEncoder> encoder = [] {
    const std::string path = REGISTRY_SENTENCE_ENCODER_FILE;
    INFO("sentence encoder " << path << " (made by scripts/setup.sh)");
    REQUIRE(std::filesystem::exists(path));
    return registry::SentenceEncoder::load(path);
  }();
  return encoder;
}

registry::RegistrySettings with_encoder(bool index) {
  registry::RegistrySettings settings;
  settings.sentence_encoder = real_encoder();
  if (!index) settings.search_cache_bytes = 0;
  return settings;
}

/// Seven entries of the COVID FAQ (tests/fixtures/covid_faq.jsonl), the cruise entry among
/// them; returns the cruise document's id.
std::string add_covid(Harness& h, const registry::v1::Bot& bot) {
  std::ifstream in(std::string(REGISTRY_FIXTURES_DIR) + "/covid_faq.jsonl");
  REQUIRE(in);
  std::string line, cruise;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto o = boost::json::parse(line).as_object();
    auto doc = h.add_document(bot, std::string(o.at("title").as_string()), std::string(o.at("text").as_string()));
    if (doc.title() == kCruiseTitle) cruise = doc.id();
    ++n;
  }
  REQUIRE(n >= 5);
  REQUIRE_FALSE(cruise.empty());
  return cruise;
}


std::unique_ptr<registry::BotRegistry> registry_with(Harness& h, registry::RegistrySettings settings) {
  auto entitlements = std::make_shared<registry::GrpcEntitlementsClient>(
      rpc::make_channel(h.subscription.address()), Harness::kTimeout);
  return std::make_unique<registry::BotRegistry>(h.pool, entitlements, settings);
}

/// How many of the bot's documents ListDocuments reports as embedded (or, with `pending`, as
/// still to be embedded: embedding_pending).
int embedded_documents(Harness& h, const registry::v1::Bot& bot, bool pending = false) {
  registry::v1::ListDocumentsRequest request;
  request.set_tenant_id(bot.tenant_id());
  request.set_bot_id(bot.id());
  auto listed = h.call_ok(&Harness::Stub::ListDocuments, request);
  int n = 0;
  for (const auto& d : listed.documents()) {
    CHECK_FALSE((d.embedded() && d.embedding_pending()));
    n += (pending ? d.embedding_pending() : d.embedded()) ? 1 : 0;
  }
  return n;
}

constexpr const char* kPendingChunks = "SELECT count(*) FROM registry.chunk_embeddings WHERE embedding IS NULL";
constexpr const char* kPendingTitles = "SELECT count(*) FROM registry.title_embeddings WHERE embedding IS NULL";

/// Rows of `table` (chunk_embeddings or title_embeddings: queued or stored) of the bot.
std::int64_t embedding_rows(Harness& h, const std::string& table, const registry::v1::Bot& bot) {
  return h.count("SELECT count(*) FROM registry." + table + " WHERE bot_id = '" + bot.id() + "'::uuid");
}

registry::v1::Bot set_language(Harness& h, const registry::v1::Bot& bot, const std::string& language) {
  registry::v1::UpdateBotRequest request;
  request.set_tenant_id(bot.tenant_id());
  request.set_bot_id(bot.id());
  request.set_language(language);
  return h.call_ok(&Harness::Stub::UpdateBot, request);
}

}  // namespace

TEST_CASE("sentence re-rank: after the backfill a paraphrase with no shared word finds its COVID entry first") {
  Harness h(with_encoder(true));
  auto bot = h.create_bot(kTenant, "COVID FAQ", "en");
  auto cruise = add_covid(h, bot);
  const auto chunks = h.count("SELECT count(*) FROM registry.chunks");
  CHECK(h.count(kPendingChunks) == chunks);  // queued at ingest, not embedded in AddDocument
  CHECK(embedded_documents(h, bot) == 0);
  CHECK(embedded_documents(h, bot, true) == 8);

  // Lexical only (no encoder, no word vectors): the cruise entry is not first.
  auto lexical = registry_with(h, registry::RegistrySettings{});
  auto before = search_in(*lexical, bot, kShip, 3);
  REQUIRE_FALSE(before.empty());
  for (const auto& x : before) UNSCOPED_INFO("lexical: " << x.document_title() << " score " << x.score());
  CHECK(before[0].document_id() != cruise);
  CHECK_FALSE(before[0].semantic());
  // The encoder on but nothing embedded yet: the lexical order, no similarity.
  auto pending = h.search(bot, kShip, 3);
  REQUIRE_FALSE(pending.empty());
  CHECK(pending[0].document_id() == before[0].document_id());
  CHECK_FALSE(pending[0].semantic());

  registry::EmbeddingBackfill backfill(h.pool, real_encoder(), {});
  CHECK(backfill.run_until_idle() == static_cast<std::size_t>(chunks + 8));
  CHECK(h.count(kPendingChunks) == 0);
  CHECK(h.count(kPendingTitles) == 0);
  CHECK(h.count("SELECT count(*) FROM registry.chunk_embeddings WHERE length(embedding) = 517") == chunks);
  CHECK(embedded_documents(h, bot) == 8);
  CHECK(embedded_documents(h, bot, true) == 0);

  // Both search paths (in-process index through gRPC, SQL) put the cruise entry first.
  auto sql = registry_with(h, with_encoder(false));
  for (int round = 0; round < 2; ++round) {  // the second round from the embedding cache
    auto hits = h.search(bot, kShip, 3);
    auto hits_sql = search_in(*sql, bot, kShip, 3);
    REQUIRE(hits.size() == 3);
    REQUIRE(hits_sql.size() == hits.size());
    for (const auto& x : hits) UNSCOPED_INFO(x.document_title() << " score " << x.score() << " sim " << x.semantic_similarity());
    CHECK(hits[0].document_id() == cruise);
    CHECK(hits[0].semantic());
    CHECK(hits[0].semantic_similarity() > 0.3);
    CHECK(hits[0].semantic_similarity() <= 1.0);
    for (std::size_t i = 0; i < hits.size(); ++i) {
      CHECK(hits_sql[i].chunk_id() == hits[i].chunk_id());
      CHECK(hits_sql[i].semantic_similarity() == Approx(hits[i].semantic_similarity()));
    }
  }
  // A new document is searchable at once, before its embedding; the others keep theirs.
  h.add_document(bot, "Cruise ship holidays", "Holidays on a cruise ship are cancelled this season.");
  auto fresh = h.search(bot, "cruise ship holidays cancelled", 3);
  REQUIRE_FALSE(fresh.empty());
  CHECK(fresh[0].document_title() == "Cruise ship holidays");
  CHECK(h.count(kPendingChunks) == 1);
  CHECK(embedded_documents(h, bot) == 8);  // the new one not yet
  CHECK(embedded_documents(h, bot, true) == 1);
  // A Russian bot's documents are never embedded, so never pending either ("off" in REST),
  // and neither its chunks nor its titles are queued (V021).
  auto ru = h.create_bot(kTenant, "Russian", "ru");
  h.add_document(ru, "Вопрос", "Ответ на вопрос о путешествиях.");
  CHECK(embedded_documents(h, ru, true) == 0);
  CHECK(embedded_documents(h, ru) == 0);
  CHECK(embedding_rows(h, "chunk_embeddings", ru) == 0);
  CHECK(embedding_rows(h, "title_embeddings", ru) == 0);
  CHECK(h.count(kPendingChunks) == 1);  // the new English chunk only
  CHECK(h.count(kPendingTitles) == 1);
}

TEST_CASE("sentence re-rank: two backfill workers on one database embed every chunk and title once") {
  Harness h;
  auto bot = h.create_bot(kTenant, "COVID FAQ", "en");
  add_covid(h, bot);
  auto ru = h.create_bot(kTenant, "Russian", "ru");
  h.add_document(ru, "Вопрос", "Ответ на вопрос о путешествиях.");
  const auto chunks = h.count("SELECT count(*) FROM registry.chunks WHERE bot_id = '" + bot.id() + "'::uuid");
  auto pool2 = std::make_shared<pg::Pool>(h.db.conninfo(), 2);
  registry::EmbeddingBackfillSettings small;
  small.batch = 2;  // many claims, so the two interleave
  registry::EmbeddingBackfill a(h.pool, real_encoder(), small), b(pool2, real_encoder(), small);
  std::size_t done_a = 0, done_b = 0;
  std::thread ta([&] { done_a = a.run_until_idle(); });
  std::thread tb([&] { done_b = b.run_until_idle(); });
  ta.join();
  tb.join();
  CHECK(done_a + done_b == static_cast<std::size_t>(chunks + 8));  // each claimed once
  CHECK(h.count(kPendingChunks) == 0);  // the Russian bot's chunk was never queued
  CHECK(h.count("SELECT count(*) FROM registry.chunk_embeddings WHERE embedding IS NOT NULL") == chunks);
  // Idempotent: nothing left to do, a worker thread starts and stops cleanly.
  CHECK(a.run_until_idle() == 0);
  a.start();
  a.stop();
}

TEST_CASE("sentence re-rank: a missing model leaves the search lexical") {
  auto none = registry::load_sentence_encoder_or_none("/nonexistent/use-lite-en.bfse");
  CHECK_FALSE(none);
  registry::RegistrySettings settings;
  settings.sentence_encoder = none;
  Harness h(settings);
  auto bot = h.create_bot(kTenant, "COVID FAQ", "en");
  add_covid(h, bot);
  auto lexical = registry_with(h, registry::RegistrySettings{});
  auto hits = h.search(bot, kShip, 3);
  auto expected = search_in(*lexical, bot, kShip, 3);
  REQUIRE(hits.size() == expected.size());
  for (std::size_t i = 0; i < hits.size(); ++i) {
    CHECK(hits[i].chunk_id() == expected[i].chunk_id());
    CHECK_FALSE(hits[i].semantic());
  }
  CHECK(embedded_documents(h, bot, true) == 0);  // no encoder: nothing is pending
}

TEST_CASE("V020 on a database with chunks: they are queued, embedded by the worker, searchable") {
  testenv::TestDatabase db;
  pg::Connection sql(db.conninfo());
  std::vector<pg::Migration> before, all = migrations::registry_migrations();
  for (const auto& m : all) {
    if (m.version < 20) before.push_back(m);
  }
  pg::migrate(sql, "registry", before);
  auto bot = sql.exec("INSERT INTO registry.bots (tenant_id, public_id, name, language) VALUES "
                      "($1::uuid, 'old-embed', 'old', 'en') RETURNING id::text", {kTenant}).str(0, 0);
  auto doc = sql.exec("INSERT INTO registry.documents (bot_id, title, format, body, size_bytes, "
                      "chunk_count) VALUES ($1::uuid, 'Should I go on a cruise?', 'text', 'x', 1, 1) "
                      "RETURNING id::text", {bot}).str(0, 0);
  sql.exec("INSERT INTO registry.chunks (document_id, bot_id, ordinal, text, tsv) VALUES ($1::uuid, "
           "$2::uuid, 0, 'Defer all cruise ship travel.', to_tsvector('english', 'Defer all cruise ship travel.'))",
           {doc, bot});
  pg::migrate(sql, "registry", all);
  CHECK(sql.exec(kPendingChunks).int64(0, 0) == 1);
  CHECK(sql.exec(kPendingTitles).int64(0, 0) == 1);
  auto pool = std::make_shared<pg::Pool>(db.conninfo(), 2);
  registry::EmbeddingBackfill backfill(pool, real_encoder(), {});
  CHECK(backfill.run_until_idle() == 2);
  CHECK(sql.exec(kPendingChunks).int64(0, 0) == 0);
  // A stored value of another format (a model change) is reset by the worker's start.
  sql.exec("UPDATE registry.chunk_embeddings SET embedding = '\\x09'::bytea");
  backfill.start();
  for (int i = 0; i < 200 && sql.exec(kPendingChunks).int64(0, 0) + sql.exec(
      "SELECT count(*) FROM registry.chunk_embeddings WHERE get_byte(embedding, 0) <> 1").int64(0, 0) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  backfill.stop();
  CHECK(sql.exec("SELECT count(*) FROM registry.chunk_embeddings WHERE length(embedding) = 517").int64(0, 0) == 1);
}

TEST_CASE("sentence re-rank: a bot switched from Russian to English is queued, embedded and re-ranked; back to Russian drops its rows") {
  Harness h(with_encoder(true));
  auto bot = h.create_bot(kTenant, "COVID FAQ", "ru");
  auto cruise = add_covid(h, bot);
  const auto chunks = h.count("SELECT count(*) FROM registry.chunks");
  CHECK(h.count("SELECT count(*) FROM registry.chunk_embeddings") == 0);
  CHECK(h.count("SELECT count(*) FROM registry.title_embeddings") == 0);
  registry::EmbeddingBackfill backfill(h.pool, real_encoder(), {});
  CHECK(backfill.run_until_idle() == 0);  // nothing queued

  set_language(h, bot, "en");
  CHECK(h.count(kPendingChunks) == chunks);
  CHECK(h.count(kPendingTitles) == 8);
  CHECK(embedded_documents(h, bot, true) == 8);
  CHECK(backfill.run_until_idle() == static_cast<std::size_t>(chunks + 8));
  CHECK(embedded_documents(h, bot) == 8);
  auto sql = registry_with(h, with_encoder(false));
  auto hits = h.search(bot, kShip, 3);
  auto hits_sql = search_in(*sql, bot, kShip, 3);
  REQUIRE(hits.size() == 3);
  REQUIRE(hits_sql.size() == hits.size());
  CHECK(hits[0].document_id() == cruise);
  CHECK(hits[0].semantic());
  for (std::size_t i = 0; i < hits.size(); ++i) CHECK(hits_sql[i].chunk_id() == hits[i].chunk_id());

  // English → Russian: its rows go, queued and stored alike; the search is lexical again.
  h.add_document(bot, "Cruise ship holidays", "Holidays on a cruise ship are cancelled this season.");
  CHECK(h.count(kPendingChunks) == 1);
  set_language(h, bot, "ru");
  CHECK(embedding_rows(h, "chunk_embeddings", bot) == 0);
  CHECK(embedding_rows(h, "title_embeddings", bot) == 0);
  CHECK(embedded_documents(h, bot, true) == 0);
  CHECK(backfill.run_until_idle() == 0);
  for (const auto& x : h.search(bot, kShip, 3)) CHECK_FALSE(x.semantic());
  // A change that keeps the language (the name) queues nothing.
  registry::v1::UpdateBotRequest rename;
  rename.set_tenant_id(bot.tenant_id());
  rename.set_bot_id(bot.id());
  rename.set_name("COVID FAQ (ru)");
  h.call_ok(&Harness::Stub::UpdateBot, rename);
  CHECK(h.count("SELECT count(*) FROM registry.chunk_embeddings") == 0);
  // And back to English: every chunk and title queued again, the new document's too.
  set_language(h, bot, "en");
  CHECK(h.count(kPendingChunks) == chunks + 1);
  CHECK(h.count(kPendingTitles) == 9);
}

TEST_CASE("sentence re-rank: no pooled connection is held while the question is embedded") {
  Harness h;
  auto bot = h.create_bot(kTenant, "COVID FAQ", "en");
  auto cruise = add_covid(h, bot);
  auto ru = h.create_bot(kTenant, "Russian", "ru");
  h.add_document(ru, "Вопрос", "Ответ на вопрос о путешествиях.");
  registry::EmbeddingBackfill backfill(h.pool, real_encoder(), {});
  backfill.run_until_idle();

  // One connection, and a second request served from the hook that runs just before the
  // question is embedded: it gets the connection only if the search gave it back (else
  // acquire() throws "pool exhausted" after its wait). The SQL path: no index loads in the
  // background to compete for the connection.
  auto one = std::make_shared<pg::Pool>(h.db.conninfo(), 1, std::chrono::milliseconds(500));
  std::unique_ptr<registry::BotRegistry> reg;
  int calls = 0;
  std::string second_error;
  std::size_t second_hits = 0;
  auto settings = with_encoder(false);
  settings.before_question_embedding = [&] {
    ++calls;
    try {
      second_hits = search_in(*reg, ru, "путешествиях", 3).size();
    } catch (const std::exception& e) {
      second_error = e.what();
    }
  };
  reg = std::make_unique<registry::BotRegistry>(one, nullptr, settings);
  auto hits = search_in(*reg, bot, kShip, 3);
  CHECK(calls == 1);
  CHECK(second_error == "");
  CHECK(second_hits == 1);
  REQUIRE_FALSE(hits.empty());
  CHECK(hits[0].document_id() == cruise);
  CHECK(hits[0].semantic());
}

TEST_CASE("V021 on a database with queued Russian chunks: they are dropped, English ones stay queued; "
          "V023 drops the old title column") {
  testenv::TestDatabase db;
  pg::Connection sql(db.conninfo());
  std::vector<pg::Migration> before, all = migrations::registry_migrations();
  for (const auto& m : all) {
    if (m.version < 21) before.push_back(m);
  }
  pg::migrate(sql, "registry", before);
  auto add = [&](const std::string& public_id, const std::string& language, const std::string& title,
                 const std::string& text) {
    auto bot = sql.exec("INSERT INTO registry.bots (tenant_id, public_id, name, language) VALUES "
                        "($1::uuid, $2, 'old', $3) RETURNING id::text", {kTenant, public_id, language}).str(0, 0);
    auto doc = sql.exec("INSERT INTO registry.documents (bot_id, title, format, body, size_bytes, "
                        "chunk_count) VALUES ($1::uuid, $2, 'text', 'x', 1, 1) RETURNING id::text",
                        {bot, title}).str(0, 0);
    sql.exec("INSERT INTO registry.chunks (document_id, bot_id, ordinal, text, tsv) VALUES ($1::uuid, "
             "$2::uuid, 0, $3, to_tsvector('simple', $3))", {doc, bot, text});
    return bot;
  };
  auto en = add("old-en", "en", "-", "Defer all cruise ship travel.");
  auto ru = add("old-ru", "ru", "Круиз", "Отложите круизы.");
  auto uz = add("old-uz", "uz", "Kruiz", "Kruizlarni keyinga qoldiring.");
  // V020 queued every chunk and title; the English title already has its value ("no title").
  CHECK(sql.exec("SELECT count(*) FROM registry.chunk_embeddings WHERE embedding IS NULL").int64(0, 0) == 3);
  sql.exec("UPDATE registry.documents SET title_embedding = '\\x01'::bytea WHERE bot_id = $1::uuid", {en});
  pg::migrate(sql, "registry", all);
  CHECK(sql.exec(kPendingChunks).int64(0, 0) == 1);
  CHECK(sql.exec("SELECT count(*) FROM registry.chunk_embeddings WHERE bot_id = ANY($1::uuid[])",
                 {"{" + ru + "," + uz + "}"}).int64(0, 0) == 0);
  CHECK(sql.exec("SELECT count(*) FROM registry.title_embeddings").int64(0, 0) == 1);  // the English one
  CHECK(sql.exec(kPendingTitles).int64(0, 0) == 0);  // its stored value came along
  CHECK(sql.exec("SELECT count(*) FROM registry.title_embeddings WHERE embedding = '\\x01'::bytea AND "
                 "bot_id = $1::uuid", {en}).int64(0, 0) == 1);
  // V023 (after V021 copied the values): the old column and its index are gone.
  CHECK(sql.exec("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'registry' "
                 "AND table_name = 'documents' AND column_name = 'title_embedding'").int64(0, 0) == 0);
  CHECK(sql.exec("SELECT count(*) FROM pg_indexes WHERE schemaname = 'registry' AND "
                 "indexname = 'documents_title_pending_idx'").int64(0, 0) == 0);
  auto pool = std::make_shared<pg::Pool>(db.conninfo(), 2);
  registry::EmbeddingBackfill backfill(pool, real_encoder(), {});
  CHECK(backfill.run_until_idle() == 1);  // the English chunk
  CHECK(sql.exec("SELECT count(*) FROM registry.chunk_embeddings WHERE length(embedding) = 517 AND "
                 "bot_id = $1::uuid", {en}).int64(0, 0) == 1);
  // The triggers from here on: a new Uzbek chunk is not queued, a new English one is.
  auto uz_doc = sql.exec("SELECT id::text FROM registry.documents WHERE bot_id = $1::uuid", {uz}).str(0, 0);
  sql.exec("INSERT INTO registry.chunks (document_id, bot_id, ordinal, text, tsv) VALUES ($1::uuid, "
           "$2::uuid, 1, 'Yana.', to_tsvector('simple', 'Yana.'))", {uz_doc, uz});
  CHECK(sql.exec(kPendingChunks).int64(0, 0) == 0);
}
