#pragma once
// Chunks' stored sentence embeddings kept in memory by chunk id (a chunk's text and its
// document's title never change under its id), so a search reads only the candidates it has
// not seen before. Thread-safe. Bounded: at most `max_entries` chunks (~1.1 KiB each: the
// text's and the title's int8 vectors); when full it is emptied and refills.

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "sentence_embedding.hpp"

namespace botfactory::registry {

/// A chunk's embeddings: its text's and, when its document has a title, the title's.
struct ChunkEmbeddings {
  QuantizedEmbedding text;
  std::optional<QuantizedEmbedding> title;
};

class ChunkEmbeddingCache {
 public:
  explicit ChunkEmbeddingCache(std::size_t max_entries) : max_entries_(max_entries) {}
  /// The cached embeddings of `chunk_id`, or nullopt.
  std::optional<ChunkEmbeddings> get(const std::string& chunk_id) const;
  /// Keeps complete embeddings (both the text's and the title's, or "no title").
  void put(const std::string& chunk_id, const ChunkEmbeddings& embeddings);
  std::size_t size() const;

 private:
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, ChunkEmbeddings> entries_;
};

}  // namespace botfactory::registry
