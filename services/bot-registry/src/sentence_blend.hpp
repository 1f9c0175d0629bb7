#pragma once
// The blend of SearchKnowledge's sentence-encoder re-rank (docs/benchmarks.md "Sentence-encoder
// re-rank (issue 7)"), on plain types: the lexical ranking's candidates re-ordered by
//   score / best score of the candidates + weight × similarity.
// Parameters chosen on half 0 of the retrieval sets (bench/retrieval_prototype/sentence.py).

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace botfactory::registry {

/// Re-rank parameters (RegistrySettings::sentence).
struct SentenceBlendSettings {
  /// Candidates re-ordered: the lexical search's best max(limit, candidates) chunks.
  int candidates = 20;
  /// Weight of the similarity in the blend (half-0 grid 1–5; 2.5 and 3 tied, 3 kept).
  double weight = 3.0;
  /// Chunks whose embeddings are kept in memory between searches (ChunkEmbeddingCache):
  /// 20 000 × ~1.1 KiB ≈ 22 MiB.
  std::size_t cached_chunks = 20000;
};

/// The similarity of a chunk to the question: (cos(q, text) + cos(q, title)) / 2 when its
/// document has a title, else cos(q, text). Cosines in [-1, 1].
double chunk_similarity(double text_cosine, std::optional<double> title_cosine);

/// The blended order of candidates, best first: indexes into `scores` (the lexical scores, in
/// lexical order, best first, all > 0 in practice). `similarities[i]` is candidate i's
/// similarity, or nullopt when it has no embedding yet: such a candidate gets the mean
/// similarity of those that have one (0 when none has), so it neither gains nor loses against
/// the others. `filled` (optional) receives the similarities used, missing ones filled.
/// Ties keep the lexical order (stable). `scores` and `similarities` have the same length.
std::vector<std::size_t> sentence_blend_order(std::span<const double> scores,
                                              std::span<const std::optional<double>> similarities, double weight,
                                              std::vector<double>* filled = nullptr);

}  // namespace botfactory::registry
