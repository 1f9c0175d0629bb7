#pragma once
// Whether a retrieved chunk answers a question well enough to quote it (the extractive
// answerer's "I don't know" gate), from what SearchKnowledge returns: the BM25F score and the
// text of the chunk.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "knowledge_search.hpp"

namespace botfactory::ai {

/// How well one chunk matches a question.
struct Relevance {
  double score = 0.0;           // the registry's BM25F score of the chunk (> 0)
  double normalized_score = 0.0;  // KnowledgeHit::normalized_score: (0, 1], 0 = not reported
  std::size_t query_terms = 0;  // distinct content stems of the question (content_stems())
  std::size_t matched = 0;      // of those, how many occur in the chunk's title or text
  std::size_t title_matched = 0;  // of those, how many occur in the chunk's document title
  /// Stems of the question that are not in every retrieved chunk (when 3 or more were
  /// retrieved; else all of them): the words that tell the chunks apart ("record" in "How do I
  /// record my voice for Common Voice?" asked of a Common Voice FAQ).
  std::size_t distinctive_terms = 0;
  std::size_t distinctive_matched = 0;        // of those, in the chunk's title or text
  std::size_t distinctive_title_matched = 0;  // of those, in the chunk's document title
  bool title_is_question = false;  // the document title ends with '?' (an FAQ entry)
  /// The registry's sentence-encoder similarity of the question to the chunk, when reported
  /// (KnowledgeHit::semantic) and the reply language is English (the encoder's language).
  bool semantic = false;
  double semantic_similarity = 0.0;
  /// matched / query_terms (0 when the question has no content word).
  double coverage() const { return query_terms == 0 ? 0.0 : static_cast<double>(matched) / query_terms; }
};

/// Thresholds of the gate; the defaults come from bench/answer_gate_eval.cpp
/// (docs/benchmarks.md "Offline answerer: answer or refuse").
struct GateSettings {
  double min_score = 1.0;     // best BM25F score to answer at all
  /// Least normalized score (KnowledgeHit::normalized_score) to answer. When the registry
  /// reports one it replaces min_coverage (which stands in for it when it does not, 0: a
  /// registry from before the field). 0.20 was chosen on the tuning half of the questions of
  /// bench/answer_gate_eval.cpp (docs/benchmarks.md "Normalized score").
  double min_normalized_score = 0.20;
  /// Off by default: in a small knowledge base every word the bot lacks weighs the highest idf,
  /// so a plainly answerable short question ("How long is the Zephyr X200 warranty?" against a
  /// one-document bot, tests/e2e/channels.test.mjs) scores below 0.20 and is refused. The
  /// benchmark gains (docs/benchmarks.md "Normalized score") hold on the FAQ data sets only.
  bool use_normalized_score = false;
  /// With a reported normalized score, faq_title_match applies only below this one: a chunk
  /// that matches most of what the question could match is answered whatever its title.
  double faq_title_match_below = 0.35;
  double min_coverage = 0.5;  // share of the question's content stems found in the chunk
  std::size_t min_matched = 1;
  /// An FAQ entry (title_is_question) answers only a question sharing a distinctive word with
  /// its title: "How do I record my voice?" is not answered by "How does Common Voice calculate
  /// hours?" although its text speaks of recordings.
  bool faq_title_match = true;
  /// AI_GATE_MIN_SEMANTIC_SIMILARITY: a chunk whose reported sentence-encoder similarity
  /// (Relevance::semantic_similarity) reaches this is answered even when it shares no stem with
  /// the question (a paraphrase: "Can I do holidays on a ship?" → "Should I go on a cruise?");
  /// 0 = off. 0.55 was chosen on half 0 of bench/answer_gate_eval.cpp (grid 0.50–0.90; the
  /// largest sum over its four scenarios of min(covered answered from the right entry,
  /// uncovered refused); docs/benchmarks.md "Sentence-encoder re-rank (issue 7)").
  double min_semantic_similarity = 0.55;
};

/// Measures `hits[index]` against `question` (UTF-8; `hits` best first as SearchKnowledge
/// returned them, `index` < hits.size()), content stems taken with the stop words of `language`
/// (en, ru, uz). Never throws.
Relevance measure_relevance(std::string_view question, const std::vector<KnowledgeHit>& hits,
                            std::size_t index, std::string_view language);

/// True when the chunk may be quoted: score ≥ min_score and either a reported semantic
/// similarity ≥ min_semantic_similarity (when that is > 0), or matched ≥ min_matched (and ≥ 1);
/// then, when the normalized score is reported (> 0), normalized score ≥ min_normalized_score,
/// otherwise coverage ≥ min_coverage; and, with faq_title_match (and a normalized score below
/// faq_title_match_below, when reported), when the title is a question and the question has
/// distinctive terms, at least one of them is in the title.
bool passes_gate(const Relevance& relevance, const GateSettings& settings);

/// The index in `hits` (best first) of the chunk to answer from: the first one whose title and
/// text are written in `language` (detect_language()), or 0 when none is (or `hits` is empty).
/// A multilingual knowledge base so answers in the visitor's language when it has one.
std::size_t pick_hit_in_language(const std::vector<KnowledgeHit>& hits, std::string_view language);

}  // namespace botfactory::ai
