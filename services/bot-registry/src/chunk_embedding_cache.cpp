#include "chunk_embedding_cache.hpp"

namespace botfactory::registry {

std::optional<ChunkEmbeddings> ChunkEmbeddingCache::get(const std::string& chunk_id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(chunk_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void ChunkEmbeddingCache::put(const std::string& chunk_id, const ChunkEmbeddings& embeddings) {
  if (max_entries_ == 0) return;
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_.insert_or_assign(chunk_id, embeddings);
}

std::size_t ChunkEmbeddingCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace botfactory::registry
