#pragma once
// One bot's knowledge in memory, ranked exactly as KnowledgeRepository::search ranks it in SQL
// (docs/architecture.md "In-process search index"): the same BM25F over the same postings, the
// same character 4-gram second stage and the same normalized score, computed from a snapshot of
// the bot's rows (registry.chunk_terms, chunks, documents, bot_grams, bot_search_stats).
// Immutable once built: searched by many threads at once without locks.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "botfactory/registry/v1/registry.pb.h"

namespace botfactory::registry {

/// BM25 statistics of a bot (registry.bot_search_stats, V007).
struct SearchStats {
  std::int64_t chunks = 0;      // N
  std::int64_t term_total = 0;  // sum of the chunks' word lengths (term_count)
  std::int64_t gram_total = 0;  // sum of the chunks' 4-gram lengths (gram_count)
};

/// A bot's searchable knowledge at one knowledge version (registry.bots.knowledge_version,
/// V008). Built with the add_* calls (in any order of documents; chunks before their postings
/// and grams), then finish(); search() afterwards. Not copyable.
class BotSearchIndex {
 public:
  BotSearchIndex(std::int64_t version, SearchStats stats);
  BotSearchIndex(const BotSearchIndex&) = delete;
  BotSearchIndex& operator=(const BotSearchIndex&) = delete;

  /// A document: its uuid (text), title and created_at (µs since the epoch: the tie order).
  void add_document(std::string id, std::string title, std::int64_t created_at_us);
  /// A chunk of an added document: uuid (text), ordinal, text, term_count and gram_count.
  /// Throws std::invalid_argument for an unknown document.
  void add_chunk(std::string id, std::string_view document_id, std::int32_t ordinal,
                 std::string text, std::int32_t term_count, std::int32_t gram_count);
  /// A gram of the bot with its df (registry.bot_grams; rows with df <= 0 are absent there for
  /// the search and are skipped here). Call before add_chunk_gram.
  void add_gram(std::string_view gram, std::int32_t df);
  /// A posting (registry.chunk_terms row): `lexeme` occurs in chunk `chunk_id` with BM25F tf
  /// `tf`; `len` is the chunk's word length stored with it (V006). Throws std::invalid_argument
  /// for an unknown chunk.
  void add_posting(std::string_view lexeme, std::string_view chunk_id, std::int32_t tf,
                   std::int32_t len);
  /// A chunk's gram vector {gram: tf} (registry.chunks.grams), once per chunk. Grams the bot
  /// has no df for are dropped (the SQL never reads them). Throws std::invalid_argument for an
  /// unknown chunk, a second call for it or a tf outside 1..65535.
  void set_chunk_grams(std::string_view chunk_id,
                       const std::vector<std::pair<std::string_view, std::int64_t>>& grams);
  /// Sorts what search() looks up; call once after the last add_*.
  void finish();

  /// The best `limit` chunks (limit >= 1) for a question, given what PostgreSQL computed from
  /// it for the bot's language: `lexemes` (tsvector_to_array(to_tsvector(cfg,
  /// registry.search_text(...))), distinct) and `grams` (its distinct character 4-grams,
  /// query_grams() of registry.gram_text). The same chunks, order and scores as
  /// KnowledgeRepository::search on the rows this index was built from, up to floating-point
  /// summation order (the SQL sums in its plan's row order; differences are a few ulps).
  std::vector<registry::v1::KnowledgeChunk> search(const std::vector<std::string>& lexemes,
                                                   const std::vector<std::string>& grams,
                                                   int limit) const;

  std::int64_t version() const { return version_; }
  std::size_t chunk_count() const { return chunks_.size(); }
  /// Approximate heap bytes held (strings, vectors, hash tables), for the cache's budget; also
  /// while building. Linear in the number of distinct lexemes.
  std::size_t bytes() const;

 private:
  struct Document {
    std::string id;
    std::string title;
    std::int64_t created_at_us;
  };
  struct Chunk {
    std::string id;
    std::uint32_t document;  // index into documents_
    std::int32_t ordinal;
    std::int32_t term_count;
    std::int32_t gram_count;
    std::uint32_t grams_begin = 0, grams_end = 0;  // range of chunk_gram_ids_ / _tfs_
    bool grams_set = false;
    std::string text;
  };
  struct Posting {
    std::uint32_t chunk;
    std::int32_t tf;
    std::int32_t len;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  std::uint32_t chunk_index(std::string_view chunk_id) const;

  std::int64_t version_;
  SearchStats stats_;
  std::vector<Document> documents_;
  StringMap<std::uint32_t> document_index_;
  std::vector<Chunk> chunks_;
  StringMap<std::uint32_t> chunk_index_;
  StringMap<std::vector<Posting>> postings_;  // by lexeme
  StringMap<std::uint32_t> gram_ids_;         // grams with df > 0
  std::vector<std::int32_t> gram_df_;         // by gram id
  // The chunks' gram vectors, each chunk's range sorted by gram id.
  std::vector<std::uint32_t> chunk_gram_ids_;
  std::vector<std::uint16_t> chunk_gram_tfs_;
  std::size_t bytes_ = 0;  // strings and hash nodes; bytes() adds the vectors
};

}  // namespace botfactory::registry
