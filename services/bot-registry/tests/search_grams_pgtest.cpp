// SearchKnowledge's character 4-gram second stage (V007): ranking on small fixtures, and the
// per-bot gram counts kept through insert, delete, language change and the V007 backfill.
// Real PostgreSQL (BOTFACTORY_TEST_PG) and the real gRPC service.

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "botfactory/pg/migrator.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "migrations.hpp"
#include "support/registry_harness.hpp"

using namespace botfactory;
namespace v1 = botfactory::registry::v1;

namespace {

const std::string kTenant = "33333333-3333-4333-8333-333333333333";

using Harness = registry::test::RegistryHarness;
using Stub = Harness::Stub;

/// Grams whose registry.bot_grams df differs from a recount over the chunks (0 when kept right;
/// rows left at df 0 by deletes count as equal to no row).
constexpr const char* kGramCountMismatches =
    "SELECT count(*) FROM (SELECT c.bot_id, k AS gram, count(*)::integer AS df "
    "FROM registry.chunks c, jsonb_object_keys(c.grams) AS k GROUP BY 1, 2) r "
    "FULL JOIN (SELECT * FROM registry.bot_grams WHERE df <> 0) b USING (bot_id, gram) "
    "WHERE r.df IS DISTINCT FROM b.df";
/// Bots whose registry.bot_search_stats row differs from a recount over their chunks.
constexpr const char* kStatsMismatches =
    "SELECT count(*) FROM (SELECT bot_id, count(*)::integer AS chunks, sum(term_count) AS term_total, "
    "sum(gram_count) AS gram_total FROM registry.chunks GROUP BY 1) r "
    "FULL JOIN (SELECT * FROM registry.bot_search_stats WHERE chunks <> 0) s USING (bot_id) "
    "WHERE (r.chunks, r.term_total, r.gram_total) IS DISTINCT FROM (s.chunks, s.term_total, s.gram_total)";

}  // namespace

TEST_CASE("character 4-grams: the grams of a question, across word boundaries") {
  Harness h;
  // " covid 19 " -> 7 grams; Uzbek Cyrillic is folded to Latin first; ё reads as е.
  CHECK(h.count("SELECT count(*) FROM registry.char_grams('en', 'COVID-19!')") == 7);
  CHECK(h.count("SELECT count(*) FROM registry.char_grams('en', 'COVID-19!') "
                "WHERE gram IN (' cov', 'd 19', ' 19 ') AND n = 1") == 3);
  CHECK(h.count("SELECT count(*) FROM registry.char_grams('uz', 'Маълумот') g "
                "JOIN registry.char_grams('uz', 'maʼlumot') l USING (gram, n)") == 7);
  CHECK(h.count("SELECT count(*) FROM registry.char_grams('ru', 'Ёлка') WHERE gram = 'елка'") == 1);
  CHECK(h.count("SELECT count(*) FROM registry.char_grams('en', '  ...  ')") == 0);
}

TEST_CASE("character 4-grams: a split or misspelt word lifts the chunk that has it") {
  Harness h;
  auto bot = h.create_bot(kTenant, "Grams", "en");
  // Word by word, "corona virus spread" matches "virus" and "spread" in the second entry but
  // only "spread" in the first ("coronavirus" is one lexeme): BM25F alone ranks it second.
  auto corona = h.add_document(bot, "Coronavirus", "How the coronavirus spreads between people.");
  auto other = h.add_document(bot, "Other infections", "How a stomach virus spreads between people.");
  h.add_document(bot, "Opening hours", "We are open from nine to five.");
  auto hits = h.search(bot, "how does the corona virus spread", 2);
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].document_id() == corona.id());
  CHECK(hits[1].document_id() == other.id());

  // "illnes" is no lexeme of either entry; its grams are in "illness".
  auto illness = h.add_document(bot, "Mild illness", "Stay at home and rest when you are ill.");
  auto travel = h.add_document(bot, "Travel at home", "Stay at home when travel is not needed.");
  hits = h.search(bot, "stay at home with an illnes", 2);
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].document_id() == illness.id());
  CHECK(hits[1].document_id() == travel.id());

  // Grams only re-rank what the words found: a question with no matching word finds nothing.
  CHECK(h.search(bot, "coronavir", 3).empty());
}

TEST_CASE("character 4-grams: the bot's gram counts and statistics follow inserts, deletes, a language change") {
  Harness h;
  auto bot = h.create_bot(kTenant, "Counts", "en");
  auto first = h.add_document(bot, "Refunds", "We refund an order within 14 days.");
  auto second = h.add_document(bot, "Refund form", "The refund form is on the orders page.");
  CHECK(h.count(kGramCountMismatches) == 0);
  CHECK(h.count(kStatsMismatches) == 0);
  CHECK(h.count("SELECT df FROM registry.bot_grams WHERE gram = 'fund'") == 2);
  CHECK(h.count("SELECT count(*) FROM registry.chunks WHERE grams = '{}'::jsonb") == 0);
  CHECK(h.count("SELECT count(*) FROM registry.chunks WHERE gram_count <= 0") == 0);

  v1::DeleteDocumentRequest remove;
  remove.set_tenant_id(kTenant);
  remove.set_bot_id(bot.id());
  remove.set_document_id(first.id());
  h.call_ok(&Stub::DeleteDocument, remove);
  CHECK(h.count(kGramCountMismatches) == 0);
  CHECK(h.count(kStatsMismatches) == 0);
  CHECK(h.count("SELECT df FROM registry.bot_grams WHERE gram = 'fund'") == 1);
  // Deleting it again is NOT_FOUND and changes nothing.
  v1::DeleteDocumentResponse ignored;
  CHECK(h.call(&Stub::DeleteDocument, remove, &ignored).error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(h.count("SELECT df FROM registry.bot_grams WHERE gram = 'fund'") == 1);

  // Another bot's documents are counted apart.
  auto ru = h.create_bot(kTenant, "Counts ru", "ru");
  h.add_document(ru, "Возврат", "Мы вернём деньги за заказ в течение 14 дней.");
  CHECK(h.count(kGramCountMismatches) == 0);
  CHECK(h.count(kStatsMismatches) == 0);
  // A language change re-counts the bot (Uzbek folds Cyrillic to Latin).
  v1::UpdateBotRequest update;
  update.set_tenant_id(kTenant);
  update.set_bot_id(ru.id());
  update.set_language("uz");
  h.call_ok(&Stub::UpdateBot, update);
  CHECK(h.count(kGramCountMismatches) == 0);
  CHECK(h.count(kStatsMismatches) == 0);
  CHECK(h.count("SELECT count(*) FROM registry.bot_grams WHERE bot_id = '" + ru.id() +
                "' AND gram = 'vozv'") == 1);
  // Deleting the bot takes its counts.
  v1::DeleteBotRequest drop;
  drop.set_tenant_id(kTenant);
  drop.set_bot_id(ru.id());
  h.call_ok(&Stub::DeleteBot, drop);
  CHECK(h.count("SELECT count(*) FROM registry.bot_grams WHERE bot_id = '" + ru.id() + "'") == 0);
  CHECK(h.count("SELECT count(*) FROM registry.bot_search_stats WHERE bot_id = '" + ru.id() + "'") == 0);
  // The last document of a bot deleted: its statistics say 0 chunks and search finds nothing.
  remove.set_document_id(second.id());
  h.call_ok(&Stub::DeleteDocument, remove);
  CHECK(h.count(kStatsMismatches) == 0);
  CHECK(h.search(bot, "refund", 3).empty());
}

TEST_CASE("character 4-grams: concurrent adds and deletes on one bot keep its counts exact") {
  Harness h;
  auto bot = h.create_bot(kTenant, "Busy", "en");
  // Each writer adds documents with overlapping grams and deletes every other one; with the
  // bot's row lock taken by adds and deletes alike, none fails (no deadlock) and the counts
  // equal a recount at the end.
  auto writer = [&](int id, std::vector<grpc::StatusCode>& codes) {
    for (int i = 0; i < 6; ++i) {
      v1::AddDocumentRequest add;
      add.set_tenant_id(kTenant);
      add.set_bot_id(bot.id());
      add.set_title("Refunds " + std::to_string(id) + "-" + std::to_string(i));
      add.set_body("We refund an order within 14 days; writer " + std::to_string(id) + ".");
      v1::Document added;
      codes.push_back(h.call(&Stub::AddDocument, add, &added).error_code());
      if (i % 2 == 1 && codes.back() == grpc::StatusCode::OK) {
        v1::DeleteDocumentRequest remove;
        remove.set_tenant_id(kTenant);
        remove.set_bot_id(bot.id());
        remove.set_document_id(added.id());
        v1::DeleteDocumentResponse ignored;
        codes.push_back(h.call(&Stub::DeleteDocument, remove, &ignored).error_code());
      }
    }
  };
  std::vector<grpc::StatusCode> codes_a, codes_b, codes_c;
  std::thread a(writer, 1, std::ref(codes_a)), b(writer, 2, std::ref(codes_b)), c(writer, 3, std::ref(codes_c));
  a.join();
  b.join();
  c.join();
  for (const auto* codes : {&codes_a, &codes_b, &codes_c}) {
    CHECK(codes->size() == 9);
    for (auto code : *codes) CHECK(code == grpc::StatusCode::OK);
  }
  CHECK(h.count(kGramCountMismatches) == 0);
  CHECK(h.count(kStatsMismatches) == 0);
  CHECK(h.count("SELECT chunks FROM registry.bot_search_stats WHERE bot_id = '" + bot.id() + "'") == 9);
}

TEST_CASE("V007 backfill: chunks indexed before it get gram vectors, counts and statistics") {
  testenv::TestDatabase db;
  pg::Connection sql(db.conninfo());
  std::vector<pg::Migration> before, all = migrations::registry_migrations();
  for (const auto& m : all) {
    if (m.version < 7) before.push_back(m);
  }
  pg::migrate(sql, "registry", before);
  auto bot = sql.exec("INSERT INTO registry.bots (tenant_id, public_id, name, language) VALUES "
                      "($1::uuid, 'old-grams', 'old', 'en') RETURNING id::text", {kTenant}).str(0, 0);
  auto doc = sql.exec("INSERT INTO registry.documents (bot_id, title, format, body, size_bytes, "
                      "chunk_count) VALUES ($1::uuid, 'Coronavirus', 'text', 'x', 1, 1) "
                      "RETURNING id::text", {bot}).str(0, 0);
  sql.exec("INSERT INTO registry.chunks (document_id, bot_id, ordinal, text, tsv) VALUES ($1::uuid, "
           "$2::uuid, 0, 'The coronavirus spreads.', setweight(to_tsvector('english', "
           "'Coronavirus'), 'A') || setweight(to_tsvector('english', 'The coronavirus spreads.'), 'B'))",
           {doc, bot});
  pg::migrate(sql, "registry", all);
  CHECK(sql.exec(kGramCountMismatches).int64(0, 0) == 0);
  CHECK(sql.exec(kStatsMismatches).int64(0, 0) == 0);
  // " coronavirus " twice in the title's weight plus once in the text.
  CHECK(sql.exec("SELECT (grams ->> 'onav')::int FROM registry.chunks").int64(0, 0) == 3);
  CHECK(sql.exec("SELECT df FROM registry.bot_grams WHERE gram = 'onav'").int64(0, 0) == 1);
}
