// Unit tests of passes_gate(): the registry's normalized score replaces the word-coverage rule
// when it is reported, and the FAQ-title rule applies below faq_title_match_below.

#include <catch2/catch.hpp>

#include "relevance_gate.hpp"

using namespace botfactory;

namespace {

/// A chunk matching 1 of 4 content words of the question, with a question title that holds
/// none of the question's distinctive words.
ai::Relevance weak_faq_match(double normalized_score) {
  ai::Relevance r;
  r.score = 12.0;
  r.normalized_score = normalized_score;
  r.query_terms = 4;
  r.matched = 1;
  r.distinctive_terms = 2;
  r.distinctive_matched = 1;
  r.distinctive_title_matched = 0;
  r.title_is_question = true;
  return r;
}

}  // namespace

TEST_CASE("gate: a reported normalized score replaces the coverage rule") {
  ai::GateSettings gate;  // min_normalized_score 0.20, min_coverage 0.5
  gate.use_normalized_score = true;
  auto r = weak_faq_match(0.5);
  r.title_is_question = false;
  CHECK(r.coverage() < gate.min_coverage);
  CHECK(ai::passes_gate(r, gate));  // coverage 0.25, but half of the best possible score
  r.normalized_score = 0.19;
  CHECK_FALSE(ai::passes_gate(r, gate));
  r.normalized_score = 0.20;
  CHECK(ai::passes_gate(r, gate));

  // Not reported (a registry from before the field): the coverage rule decides.
  r.normalized_score = 0.0;
  CHECK_FALSE(ai::passes_gate(r, gate));
  r.matched = 2;
  CHECK(ai::passes_gate(r, gate));
}

TEST_CASE("gate: the FAQ-title rule holds below faq_title_match_below only") {
  ai::GateSettings gate;  // faq_title_match_below 0.35
  gate.use_normalized_score = true;
  CHECK_FALSE(ai::passes_gate(weak_faq_match(0.30), gate));
  CHECK(ai::passes_gate(weak_faq_match(0.35), gate));
  CHECK(ai::passes_gate(weak_faq_match(0.90), gate));
  gate.faq_title_match = false;
  CHECK(ai::passes_gate(weak_faq_match(0.30), gate));
  // Not reported: the rule holds whatever the score.
  gate.faq_title_match = true;
  auto r = weak_faq_match(0.0);
  r.matched = 4;
  CHECK_FALSE(ai::passes_gate(r, gate));
}

TEST_CASE("gate: min_score and a matched word are required whatever the normalized score") {
  ai::GateSettings gate;
  auto r = weak_faq_match(0.9);
  r.score = 0.5;
  CHECK_FALSE(ai::passes_gate(r, gate));
  r = weak_faq_match(0.9);
  r.matched = 0;
  CHECK_FALSE(ai::passes_gate(r, gate));
}

TEST_CASE("gate: the normalized score is opt-in; by default the coverage rule decides") {
  ai::GateSettings gate;
  CHECK_FALSE(gate.use_normalized_score);
  auto r = weak_faq_match(0.05);  // a small bot: low normalized score
  r.title_is_question = false;
  r.matched = 3;  // 3 of 4 content words found
  CHECK(ai::passes_gate(r, gate));
}

TEST_CASE("gate: a reported sentence similarity at min_semantic_similarity answers a paraphrase sharing no word") {
  // "Can I do holidays on a ship?" → "Should I go on a cruise?": no stem in common.
  ai::Relevance r;
  r.score = 6.0;
  r.query_terms = 2;
  r.matched = 0;
  r.title_is_question = true;
  r.distinctive_terms = 2;
  r.semantic = true;
  r.semantic_similarity = 0.62;
  ai::GateSettings gate;
  gate.min_semantic_similarity = 0.0;  // off: the matched-word rule refuses it
  CHECK_FALSE(ai::passes_gate(r, gate));
  gate.min_semantic_similarity = 0.60;
  CHECK(ai::passes_gate(r, gate));
  r.semantic_similarity = 0.59;
  CHECK_FALSE(ai::passes_gate(r, gate));
  r.semantic_similarity = 0.9;
  r.semantic = false;  // not reported (no sentence encoder in the registry)
  CHECK_FALSE(ai::passes_gate(r, gate));
  r.semantic = true;
  r.score = 0.5;  // min_score still holds
  CHECK_FALSE(ai::passes_gate(r, gate));
}
