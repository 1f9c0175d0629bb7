#pragma once
// SQL over registry.documents and registry.chunks: storing, listing and searching knowledge.

#include <cstdint>
#include <string>
#include <vector>

#include "botfactory/pg/connection.hpp"
#include "botfactory/registry/v1/registry.pb.h"

namespace botfactory::registry {

/// A document to store, already validated and chunked.
struct NewDocument {
  std::string bot_id;
  std::string title;
  registry::v1::DocumentFormat format = registry::v1::DOCUMENT_FORMAT_TEXT;
  std::string body;             // stored text (a PDF's extracted text)
  std::int64_t size_bytes = 0;  // bytes as uploaded (counted against the plan)
  std::vector<std::string> chunks;
  std::string search_config;  // text_search_config() of the bot's language
};

/// Knowledge rows on one connection (not owned). Callers check that the bot belongs to the
/// tenant first. Errors are pg::Error.
class KnowledgeRepository {
 public:
  explicit KnowledgeRepository(pg::Connection& connection) : connection_(connection) {}

  /// Sum of size_bytes of the bot's documents.
  std::int64_t total_size(const std::string& bot_id);
  /// Inserts the document and all its chunks (one statement for the chunks, their tsv built
  /// from the title with weight A and the chunk text with weight B, both through
  /// registry.search_text for the bot's language: Uzbek folded to Latin, prefix stems; V005),
  /// then their rows in the term index (registry.chunk_terms). Call inside a transaction.
  registry::v1::Document insert(const NewDocument& document);
  /// The bot's documents, oldest first.
  std::vector<registry::v1::Document> list(const std::string& bot_id);
  /// Deletes the document and takes its chunks off the bot's gram counts and search statistics
  /// (V007), in one statement. Callers hold the bot's row lock (BotRepository::lock), as for
  /// insert and reindex, so one writer at a time changes a bot's counts. False when the bot has
  /// no such document.
  bool remove(const std::string& bot_id, const std::string& document_id);
  /// Up to `limit` chunks of the bot matching any of `words` (space-separated, already
  /// sanitised by query_words(); folded like the chunks) under `search_config`, best first by
  /// their score: the BM25F of the words (title counted twice, k1 = 1.2, b = 0.75) plus, for
  /// the best max(limit, 20) of those, 0.7 × the BM25 of the words' character 4-grams (V007).
  /// > 0, unbounded; ties: older document, earlier chunk. Empty when no word has a lexeme
  /// (stop words only) or nothing matches.
  std::vector<registry::v1::KnowledgeChunk> search(const std::string& bot_id,
                                                   const std::string& search_config,
                                                   const std::string& words, int limit);
  /// Rebuilds every chunk's tsv of the bot under a new configuration (language change), and
  /// the bot's term index. Call inside a transaction.
  void reindex(const std::string& bot_id, const std::string& search_config);

 private:
  pg::Connection& connection_;
};

}  // namespace botfactory::registry
