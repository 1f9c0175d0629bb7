#pragma once
// Stored sentence embeddings (V020, docs/architecture.md "Sentence-encoder re-rank"): a unit
// float vector quantised to int8 with one scale, and its bytea layout. Plain types only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::registry {

/// Format byte of the stored values: 1 = USE-lite (SentenceEncoder), 512 dims, int8 + f32 scale.
/// Bump it when the model or the layout changes: values of another format are set back to NULL
/// by the backfill worker at start (EmbeddingRepository::invalidate_other_formats) and ignored by
/// the search until re-embedded.
inline constexpr std::uint8_t kEmbeddingFormat = 1;
inline constexpr std::size_t kEmbeddingDims = 512;

/// An int8-quantised vector: value[i] ≈ q[i] × scale.
struct QuantizedEmbedding {
  float scale = 0;
  std::vector<std::int8_t> q;
  /// cos(unit_query, this): the dot product divided by this vector's own length (the quantised
  /// vector is not exactly unit). `unit_query` must have q.size() floats. 0 for a zero vector.
  double cosine(std::span<const float> unit_query) const;
};

/// Quantises `vector` (any length): scale = max |x| / 127, q = round(x / scale).
QuantizedEmbedding quantize(std::span<const float> vector);

/// The stored bytes: format byte, f32 scale (little-endian), the int8 values.
std::string encode_embedding(const QuantizedEmbedding& embedding);
/// The stored "no title" marker: the format byte alone.
std::string encode_no_title();

/// What a stored value holds.
struct StoredEmbedding {
  enum class Kind { missing, no_title, vector } kind = Kind::missing;
  QuantizedEmbedding vector;
};

/// Decodes stored bytes; a value of another format or a malformed length is `missing` (to be
/// re-embedded), never an error.
StoredEmbedding decode_embedding(std::string_view bytes);

/// True when a document title counts as a title for the re-rank: it has a letter or a digit
/// (Unicode, text::WordReader's rule). "-" or "" → false.
bool has_title_text(std::string_view title);

/// libpq's text form of a bytea parameter ("\x" + lower-case hex).
std::string bytea_param(std::string_view bytes);
/// The bytes of a bytea column read in text format ("\x…" hex); empty on a malformed value.
std::string bytea_value(std::string_view text);

}  // namespace botfactory::registry
