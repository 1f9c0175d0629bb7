#pragma once
// The semantic stage of SearchKnowledge for English bots (docs/benchmarks.md "Word vectors",
// docs/architecture.md "Word vectors"): re-orders the lexical search's best chunks by a blend of
// their score and the cosine of word-vector text embeddings, so that a paraphrase sharing no
// content word with its entry ("holidays on a ship" / "cruise") can still come first. Applied in
// BotRegistry::search_knowledge after either search path (in-process index or SQL), so the two
// paths stay equal before it and it is the same after both.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "botfactory/registry/v1/registry.pb.h"
#include "bounded_id_cache.hpp"
#include "word_vectors.hpp"

namespace botfactory::registry {

/// Parameters, chosen on half 0 of the retrieval sets (bench/retrieval_prototype/embed.py).
struct SemanticRerankSettings {
  /// Candidates re-ordered: the lexical search's best `candidates` chunks (>= the reply limit).
  int candidates = 20;
  /// Blend: score / best score of the candidates + weight × centred cosine.
  double weight = 0.3;
  /// Smooth inverse frequency parameter of the word weights (WordVectors::sif_weight).
  float sif_a = 1e-3f;
  /// Each distinct word of the chunk's document title counts this many times in its vector.
  float title_weight = 5.0f;
  /// Chunk vectors kept between searches (ChunkVectorCache): 20 000 × ~0.5 KiB ≈ 10 MiB.
  std::size_t cached_chunks = 20000;
};

/// Chunks' unit vectors by chunk id (a chunk's text and title never change under its id), so a
/// search does not re-read the 20 candidates' words. Thread-safe. Bounded (BoundedIdCache): at
/// most `max_entries` vectors (dims floats + the id each, ~0.5 KiB at 100 dims).
class ChunkVectorCache {
 public:
  explicit ChunkVectorCache(std::size_t max_entries) : entries_(max_entries) {}
  /// The cached vector of `chunk_id` whose text + title were `source_bytes` long, into `out`.
  bool get(const std::string& chunk_id, std::size_t source_bytes, std::vector<float>& out) const;
  void put(const std::string& chunk_id, std::size_t source_bytes, const std::vector<float>& vector);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::size_t source_bytes;
    std::vector<float> vector;
  };
  BoundedIdCache<Entry> entries_;
};

/// The SIF-weighted mean of the vectors of `text`'s words (query_words()' word rule, repeats
/// counted), the distinct words of `extra` added with weight `extra_weight` each (a chunk's
/// document title).
/// Not normalised; all zeros when no word has a vector. Returns the number of words found.
int text_vector(const WordVectors& vectors, std::string_view text, std::string_view extra, float extra_weight,
                float sif_a, std::vector<float>& out);

/// Re-orders `chunks` (the lexical ranking, best first, at most settings.candidates of them) in
/// place: blend = score / chunks[0].score + weight × cos(q − c̄, v − c̄), where q is the
/// question's vector, v a chunk's (its text, and its title's words title_weight times) and
/// c̄ the mean of the candidates' unit vectors. Sets each chunk's semantic_similarity (registry.proto KnowledgeChunk field 120) to
/// the plain cosine cos(q, v) in [-1, 1] (0 when the chunk has no known word) and semantic to
/// true. Leaves the chunks untouched (order, semantic false) when fewer than half of the
/// question's words have a vector (e.g. a Russian question to an English bot). Only documents move: the chunks of one document keep their
/// lexical order among the places they take. score and normalized_score are not changed. Ties
/// keep the lexical order (stable sort).
/// `cache` (optional) holds the candidates' unit vectors between searches.
void semantic_rerank(const WordVectors& vectors, std::string_view question,
                     std::vector<registry::v1::KnowledgeChunk>& chunks, const SemanticRerankSettings& settings,
                     ChunkVectorCache* cache = nullptr);

}  // namespace botfactory::registry
