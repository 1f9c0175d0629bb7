#pragma once
// Chunks' stored sentence embeddings kept in memory by chunk id (a chunk's text and its
// document's title never change under its id), so a search reads only the candidates it has
// not seen before. Thread-safe. Bounded: at most `max_entries` chunks (~1.1 KiB each: the
// text's and the title's int8 vectors); when full it is emptied and refills.

#include <optional>

#include "bounded_id_cache.hpp"
#include "sentence_embedding.hpp"

namespace botfactory::registry {

/// A chunk's embeddings: its text's and, when its document has a title, the title's.
struct ChunkEmbeddings {
  QuantizedEmbedding text;
  std::optional<QuantizedEmbedding> title;
};

/// Complete embeddings only (both the text's and the title's, or "no title") are put.
using ChunkEmbeddingCache = BoundedIdCache<ChunkEmbeddings>;

}  // namespace botfactory::registry
