#pragma once
// SQL of the stored sentence embeddings (V020, V021; docs/architecture.md "Sentence-encoder
// re-rank"): the backfill worker's claims and stores, its progress count, and the search's
// read of its candidates' embeddings. registry.chunk_embeddings and registry.title_embeddings
// hold rows only for English bots' chunks and documents (V021's triggers): NULL = queued. Every statement runs under the pool's session limits
// (pg::SessionLimits: statement, lock and idle-in-transaction timeouts).

#include <cstdint>
#include <string>
#include <vector>

#include "botfactory/pg/connection.hpp"
#include "sentence_embedding.hpp"

namespace botfactory::registry {

/// A text waiting for its embedding: a chunk's text or a document's title.
struct PendingText {
  std::string id;  // chunk or document id (uuid text)
  std::string text;
};

/// What a search candidate has stored (missing when not embedded yet).
struct CandidateEmbeddings {
  std::string chunk_id;
  StoredEmbedding text;
  StoredEmbedding title;
};

/// Rows on one connection (not owned). Errors are pg::Error.
class EmbeddingRepository {
 public:
  explicit EmbeddingRepository(pg::Connection& connection) : connection_(connection) {}

  /// Sets every stored value whose format byte is not `format` back to NULL (a model change):
  /// returns how many chunk and document values were reset.
  std::int64_t invalidate_other_formats(std::uint8_t format);

  /// Inside the caller's transaction: up to `limit` queued chunks (English bots' only), with
  /// their text, row-locked (FOR UPDATE … SKIP LOCKED on their registry.chunk_embeddings rows),
  /// so two workers never claim the same chunk; the locks go with the transaction.
  std::vector<PendingText> claim_chunks(int limit);
  /// The same for documents' titles (registry.title_embeddings rows; text = the title).
  std::vector<PendingText> claim_titles(int limit);

  /// Stores the chunks' embeddings (ids[i] → values[i], encode_embedding() bytes) where still
  /// NULL (idempotent). One statement. Returns the rows written.
  std::int64_t store_chunks(const std::vector<std::string>& ids, const std::vector<std::string>& values);
  /// The same for documents' title embeddings (or encode_no_title()).
  std::int64_t store_titles(const std::vector<std::string>& ids, const std::vector<std::string>& values);

  /// Queued chunks and titles (English bots' only), two counts in one statement through the
  /// partial indexes of V020 and V021.
  struct Pending {
    std::int64_t chunks = 0, titles = 0;
  };
  Pending pending();

  /// The stored embeddings of `chunk_ids` (uuid text) of `bot_id`, chunk text and document title,
  /// in one prepared statement. A chunk that is not the bot's is absent from the result.
  std::vector<CandidateEmbeddings> load(const std::string& bot_id, const std::vector<std::string>& chunk_ids);

 private:
  pg::Connection& connection_;
};

}  // namespace botfactory::registry
