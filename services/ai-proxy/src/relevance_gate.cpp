#include "relevance_gate.hpp"

#include "answer_text.hpp"
#include "language_detect.hpp"

namespace botfactory::ai {

namespace {

bool has_stem(const std::vector<std::string>& stems, const std::string& stem) {
  for (const auto& s : stems) {
    if (stems_match(stem, s)) return true;
  }
  return false;
}

}  // namespace

Relevance measure_relevance(std::string_view question, const std::vector<KnowledgeHit>& hits,
                            std::size_t index, std::string_view language) {
  Relevance r;
  if (index >= hits.size()) return r;
  const auto& hit = hits[index];
  r.score = hit.score;
  r.normalized_score = hit.normalized_score;
  // The registry's sentence encoder is English (USE-lite): between texts in other languages its
  // similarity is high for unrelated pairs (measured: the multilingual demo bot refused 92 % of
  // uncovered questions without it, ~50 % with it), so it counts for English only.
  r.semantic = hit.semantic && language == "en";
  r.semantic_similarity = hit.semantic_similarity;
  auto query_stems = content_stems(question, language);
  std::vector<std::vector<std::string>> chunk_stems;
  for (const auto& h : hits) chunk_stems.push_back(content_stems(h.document_title + "\n" + h.text, language));
  auto title_stems = content_stems(hit.document_title, language);
  r.query_terms = query_stems.size();
  auto title_end = hit.document_title.find_last_not_of(" \t\r\n");
  r.title_is_question = title_end != std::string::npos && hit.document_title[title_end] == '?';
  for (const auto& stem : query_stems) {
    bool in_chunk = has_stem(chunk_stems[index], stem);
    bool in_title = has_stem(title_stems, stem);
    bool everywhere = hits.size() >= 3;
    for (std::size_t i = 0; everywhere && i < hits.size(); ++i) everywhere = has_stem(chunk_stems[i], stem);
    r.matched += in_chunk ? 1 : 0;
    r.title_matched += in_title ? 1 : 0;
    if (!everywhere) {
      ++r.distinctive_terms;
      r.distinctive_matched += in_chunk ? 1 : 0;
      r.distinctive_title_matched += in_title ? 1 : 0;
    }
  }
  return r;
}

bool passes_gate(const Relevance& relevance, const GateSettings& settings) {
  if (settings.min_semantic_similarity > 0 && relevance.semantic &&
      relevance.semantic_similarity >= settings.min_semantic_similarity && relevance.score >= settings.min_score) {
    return true;
  }
  if (relevance.score < settings.min_score || relevance.matched < settings.min_matched ||
      relevance.matched == 0) {
    return false;
  }
  bool reported = settings.use_normalized_score && relevance.normalized_score > 0;
  if (settings.faq_title_match && relevance.title_is_question && relevance.distinctive_terms > 0 &&
      relevance.distinctive_title_matched == 0 &&
      (!reported || relevance.normalized_score < settings.faq_title_match_below)) {
    return false;
  }
  return reported ? relevance.normalized_score >= settings.min_normalized_score
                  : relevance.coverage() >= settings.min_coverage;
}

std::size_t pick_hit_in_language(const std::vector<KnowledgeHit>& hits, std::string_view language) {
  for (std::size_t i = 0; i < hits.size(); ++i) {
    if (detect_language(hits[i].document_title + "\n" + hits[i].text) == language) return i;
  }
  return 0;
}

}  // namespace botfactory::ai
