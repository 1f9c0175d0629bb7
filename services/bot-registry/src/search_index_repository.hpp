#pragma once
// SQL of the in-process search index (docs/architecture.md "In-process search index"): what
// PostgreSQL makes of a question for one bot (the per-query probe), and a bot's knowledge
// snapshot for BotSearchIndex.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/pg/connection.hpp"
#include "search_index.hpp"

namespace botfactory::registry {

/// A question as the bot's language reads it, with the bot's knowledge version.
struct SearchProbe {
  std::int64_t knowledge_version = 0;  // registry.bots.knowledge_version (V008)
  std::string language;                // the bot's language ("en", "ru", "uz", ...)
  std::vector<std::string> lexemes;    // tsvector_to_array(to_tsvector(cfg, search_text(...)))
  std::string gram_text;               // registry.gram_text(language, words)
};

/// What load() read: the index, or only the version when it would pass `max_bytes`.
struct LoadedIndex {
  std::int64_t version = 0;
  std::unique_ptr<BotSearchIndex> index;  // null when too large
};

/// Rows on one connection (not owned). Errors are pg::Error.
class SearchIndexRepository {
 public:
  explicit SearchIndexRepository(pg::Connection& connection) : connection_(connection) {}

  /// One primary-key read of the tenant's bot: its knowledge version and language, and the
  /// lexemes and gram text of `words` (join_words() output) under the bot's text search
  /// configuration (the mapping of text_search_config(), in SQL). nullopt when the tenant has
  /// no such bot. A prepared statement.
  std::optional<SearchProbe> probe(const std::string& tenant_id, const std::string& bot_id,
                                   const std::string& words);
  /// The bot's knowledge as one consistent snapshot (a REPEATABLE READ, READ ONLY transaction:
  /// the version and every row from the same moment), chunks and postings read through cursors
  /// in batches. nullopt when the bot is gone. When the index passes `max_bytes` while being
  /// built, the load stops and returns the version without an index.
  std::optional<LoadedIndex> load(const std::string& bot_id, std::size_t max_bytes);

 private:
  pg::Connection& connection_;
};

}  // namespace botfactory::registry
