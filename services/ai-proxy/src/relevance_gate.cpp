#include "relevance_gate.hpp"

#include "answer_text.hpp"
#include "language_detect.hpp"

namespace botfactory::ai {

Relevance measure_relevance(std::string_view question, const KnowledgeHit& hit, std::string_view language) {
  Relevance r;
  r.score = hit.score;
  auto query_stems = content_stems(question, language);
  auto chunk_stems = content_stems(hit.document_title + "\n" + hit.text, language);
  r.query_terms = query_stems.size();
  r.matched = matched_count(query_stems, chunk_stems);
  return r;
}

bool passes_gate(const Relevance& relevance, const GateSettings& settings) {
  return relevance.score >= settings.min_score && relevance.matched >= settings.min_matched &&
         relevance.matched > 0 && relevance.coverage() >= settings.min_coverage;
}

std::size_t pick_hit_in_language(const std::vector<KnowledgeHit>& hits, std::string_view language) {
  for (std::size_t i = 0; i < hits.size(); ++i) {
    if (detect_language(hits[i].document_title + "\n" + hits[i].text) == language) return i;
  }
  return 0;
}

}  // namespace botfactory::ai
