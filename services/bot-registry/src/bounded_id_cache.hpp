#pragma once
// A small thread-safe map from an id (a chunk id) to a value that never changes under that id,
// bounded by a cheap rule: at most `max_entries` values; when full it is emptied and refills (no
// per-entry bookkeeping). Serves the search's per-chunk caches: ChunkVectorCache (word vectors,
// semantic_rerank.hpp) and ChunkEmbeddingCache (sentence embeddings, chunk_embedding_cache.hpp).

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace botfactory::registry {

template <typename Value>
class BoundedIdCache {
 public:
  /// `max_entries` 0 keeps nothing.
  explicit BoundedIdCache(std::size_t max_entries) : max_entries_(max_entries) {}

  /// The value cached for `id`, or nullopt.
  std::optional<Value> get(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  /// Keeps `value` for `id` (replacing an older one); empties the cache first when it is full.
  void put(const std::string& id, Value value) {
    if (max_entries_ == 0) return;
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_.insert_or_assign(id, std::move(value));
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Value> entries_;
};

}  // namespace botfactory::registry
