// SearchKnowledge's normalized score (KnowledgeChunk.normalized_score): the score over the best
// one the question could get in the bot. Real PostgreSQL (BOTFACTORY_TEST_PG) and the real
// gRPC service.

#include <catch2/catch.hpp>

#include "support/registry_harness.hpp"

using namespace botfactory;

namespace {

const std::string kTenant = "44444444-4444-4444-8444-444444444444";

using Harness = registry::test::RegistryHarness;

}  // namespace

TEST_CASE("normalized score: in (0, 1], ordered like the score, lower for words the bot lacks") {
  Harness h;
  auto bot = h.create_bot(kTenant, "Normalized", "en");
  auto mask = h.add_document(bot, "What is an email mask?",
                             "An email mask forwards mail to your real inbox and hides your address.");
  h.add_document(bot, "Where is my data stored?", "Your data is stored in data centres in the EU.");
  h.add_document(bot, "Opening hours", "We are open from nine to five.");

  auto hits = h.search(bot, "what is an email mask", 3);
  REQUIRE_FALSE(hits.empty());
  CHECK(hits[0].document_id() == mask.id());
  for (const auto& hit : hits) {
    CHECK(hit.normalized_score() > 0.0);
    CHECK(hit.normalized_score() <= 1.0);
  }
  for (std::size_t i = 1; i < hits.size(); ++i) {
    CHECK(hits[i - 1].normalized_score() >= hits[i].normalized_score());
  }
  double on_topic = hits[0].normalized_score();

  // The same chunk found through one shared word of an off-topic question: its raw score is
  // positive, but the words the bot lacks ("boiling", "tungsten") keep the share low.
  auto off = h.search(bot, "what is the boiling point of tungsten in an email", 1);
  REQUIRE(off.size() == 1);
  CHECK(off[0].score() > 0.0);
  CHECK(off[0].normalized_score() < on_topic / 2);
  CHECK(off[0].normalized_score() < 0.20);  // the extractive gate's default (relevance_gate.hpp)
}
