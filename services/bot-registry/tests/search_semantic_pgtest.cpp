// SearchKnowledge's semantic re-rank (semantic_rerank.hpp) with the real word vectors that
// scripts/setup.sh converts (tools/word-vectors/en-100d.bfwv), real PostgreSQL
// (BOTFACTORY_TEST_PG) and the real gRPC service.

#include <catch2/catch.hpp>

#include <filesystem>

#include "support/registry_harness.hpp"
#include "word_vectors.hpp"

using namespace botfactory;

namespace {

const std::string kTenant = "55555555-5555-4555-8555-555555555555";

using Harness = registry::test::RegistryHarness;
using registry::test::search_in;

std::shared_ptr<const registry::WordVectors> real_vectors() {
  const std::string path = REGISTRY_WORD_VECTORS_FILE;
  INFO("word vectors " << path << " (made by scripts/setup.sh: npm ci + tools/word-vectors/convert.mjs)");
  REQUIRE(std::filesystem::exists(path));
  return registry::WordVectors::load(path);
}

registry::RegistrySettings with_vectors(std::shared_ptr<const registry::WordVectors> vectors, bool index) {
  registry::RegistrySettings settings;
  settings.word_vectors = std::move(vectors);
  if (!index) settings.search_cache_bytes = 0;
  return settings;
}


}  // namespace

TEST_CASE("semantic re-rank: a paraphrase sharing no content word with its entry's question ranks it first") {
  auto vectors = real_vectors();
  Harness h(with_vectors(vectors, true));
  auto bot = h.create_bot(kTenant, "Travel FAQ", "en");
  // The question "Can I spend my holidays on a ship?" shares no content word with "Should I go
  // on a cruise?". Lexically the cruise, delivery and returns entries match it on "ship" alone,
  // in their text; the delivery entry comes first (3.06 against 2.97: "days" shares 4-grams with
  // "holidays"). The word vectors (holidays, ship ~ cruise, travel, passengers) put the cruise
  // entry first.
  // The re-rank's weight (0.3) flips only such near-ties: on the shared data it moves 9 of
  // 241 COVID questions (7 right, 2 wrong; docs/benchmarks.md "Word vectors").
  auto cruise = h.add_document(bot, "Should I go on a cruise?",
                               "Travellers should defer cruise travel: infection spreads fast between passengers "
                               "on cruise ships.");
  auto pay = h.add_document(bot, "Delivery times", "We ship orders within two days of payment.");
  h.add_document(bot, "Returns", "Send the item back by post; we ship a replacement once it arrives.");

  const std::string question = "Can I spend my holidays on a ship?";
  // Without vectors (the same database, a registry without them): the delivery entry first.
  auto entitlements = std::make_shared<registry::GrpcEntitlementsClient>(
      rpc::make_channel(h.subscription.address()), Harness::kTimeout);
  registry::BotRegistry lexical(h.pool, entitlements, registry::RegistrySettings{});
  auto before = search_in(lexical, bot, question, 3);
  REQUIRE(before.size() >= 2);
  for (const auto& x : before) UNSCOPED_INFO("lexical: " << x.document_title() << " score " << x.score());
  CHECK(before[0].document_id() == pay.id());
  CHECK_FALSE(before[0].semantic());

  // With vectors, through the gRPC service: the cruise entry first, similarity reported.
  auto hits = h.search(bot, question, 3);
  REQUIRE(hits.size() >= 2);
  for (const auto& x : hits) UNSCOPED_INFO(x.document_title() << " score " << x.score() << " sim " << x.semantic_similarity());
  CHECK(hits[0].document_id() == cruise.id());
  CHECK(hits[0].semantic());
  CHECK(hits[0].semantic_similarity() > 0.0);
  CHECK(hits[0].semantic_similarity() <= 1.0);
  // The lexical score is left as it was: the re-rank changes the order only.
  for (const auto& b : before) {
    if (b.chunk_id() == hits[0].chunk_id()) CHECK(b.score() == Approx(hits[0].score()).epsilon(1e-12));
  }

  // A Russian bot is not re-ranked (the vectors are English).
  auto ru = h.create_bot(kTenant, "RU", "ru");
  h.add_document(ru, "Круиз", "Круизные поездки отложены.");
  auto ru_hits = h.search(ru, "круизные поездки", 3);
  REQUIRE_FALSE(ru_hits.empty());
  CHECK_FALSE(ru_hits[0].semantic());
}

TEST_CASE("semantic re-rank: the in-process index and the SQL search give the same answers with vectors on") {
  auto vectors = real_vectors();
  Harness h(with_vectors(vectors, true));
  auto entitlements = std::make_shared<registry::GrpcEntitlementsClient>(
      rpc::make_channel(h.subscription.address()), Harness::kTimeout);
  registry::BotRegistry sql_only(h.pool, entitlements, with_vectors(vectors, false));
  auto bot = h.create_bot(kTenant, "Equal", "en");
  const std::vector<std::pair<std::string, std::string>> docs = {
      {"Should I go on a cruise?", "Travellers should defer all cruise travel; ships carry infection."},
      {"How many holidays can I take?", "Staff take twenty paid holidays a year."},
      {"How does the virus spread?", "The virus spreads between people in close contact, by droplets."},
      {"Can my pet catch it?", "Animals rarely catch the disease; wash your hands after touching pets."},
      {"What are the symptoms?", "Fever, dry cough and tiredness are the most common symptoms."},
      {"-", "Wear a mask on public transport and keep your distance from other people."},
  };
  for (const auto& [title, body] : docs) h.add_document(bot, title, body);
  REQUIRE(h.bots->search_cache() != nullptr);
  h.bots->search_cache()->load_now(bot.id());

  const std::vector<std::string> questions = {"Can I take my holidays on a ship?", "is my dog at risk",
                                              "what are the signs of illness", "how is it transmitted",
                                              "should I cover my face on the bus", "holidays and pets"};
  for (const auto& q : questions) {
    for (int limit : {1, 3, 20}) {
      auto a = search_in(*h.bots, bot, q, limit);
      auto b = search_in(sql_only, bot, q, limit);
      INFO(q << " limit " << limit);
      REQUIRE(a.size() == b.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].chunk_id() == b[i].chunk_id());
        CHECK(a[i].score() == Approx(b[i].score()).epsilon(1e-9));
        CHECK(a[i].semantic_similarity() == Approx(b[i].semantic_similarity()).epsilon(1e-9));
        CHECK(a[i].semantic());
      }
    }
  }
  CHECK(h.bots->search_cache()->stats().hits > 0);
}

