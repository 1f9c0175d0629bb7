#include "search_index_repository.hpp"

#include <boost/json.hpp>

#include "text_array.hpp"

namespace botfactory::registry {
namespace {

// The probe: the tenant's bot by primary key, its knowledge version (V008), and the question's
// lexemes and gram text exactly as kSearch (knowledge_repository.cpp) computes them. The
// configuration is text_search_config()'s mapping (en english, ru russian, else simple) as
// regconfig constants, so no catalog lookup by name per call.
constexpr const char* kProbe =
    "SELECT b.knowledge_version, b.language, tsvector_to_array(to_tsvector(CASE b.language "
    "WHEN 'en' THEN 'english'::regconfig WHEN 'ru' THEN 'russian'::regconfig "
    "ELSE 'simple'::regconfig END, registry.search_text(b.language, $3))), "
    "registry.gram_text(b.language, $3) "
    "FROM registry.bots b WHERE b.id = $2::uuid AND b.tenant_id = $1::uuid";

constexpr const char* kSnapshot = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
constexpr const char* kVersion = "SELECT knowledge_version FROM registry.bots WHERE id = $1::uuid";
constexpr const char* kStats =
    "SELECT chunks, term_total, gram_total FROM registry.bot_search_stats WHERE bot_id = $1::uuid";
constexpr const char* kDocuments =
    "SELECT id, title, (extract(epoch from created_at) * 1000000)::bigint "
    "FROM registry.documents WHERE bot_id = $1::uuid";
constexpr const char* kGrams =
    "SELECT gram, df FROM registry.bot_grams WHERE bot_id = $1::uuid AND df > 0";
constexpr const char* kChunksCursor =
    "DECLARE search_index_chunks NO SCROLL CURSOR FOR "
    "SELECT id, document_id, ordinal, text, term_count, gram_count, grams "
    "FROM registry.chunks WHERE bot_id = $1::uuid";
constexpr const char* kFetchChunks = "FETCH 500 FROM search_index_chunks";
constexpr const char* kPostingsCursor =
    "DECLARE search_index_postings NO SCROLL CURSOR FOR "
    "SELECT lexeme, chunk_id, tf, len FROM registry.chunk_terms WHERE bot_id = $1::uuid";
constexpr const char* kFetchPostings = "FETCH 50000 FROM search_index_postings";

std::int32_t int32(const pg::Result& r, int row, int column) {
  return static_cast<std::int32_t>(r.int64(row, column));
}

/// A chunk's gram vector (jsonb {"gram": tf, ...} as PostgreSQL prints it) into `index`. The
/// parsed value lives in `arena` (a bump allocator over a reused buffer: no allocation per key).
void set_grams(BotSearchIndex& index, std::string_view chunk_id, std::string_view json,
               std::vector<std::pair<std::string_view, std::int64_t>>& scratch,
               std::vector<unsigned char>& arena) {
  boost::json::monotonic_resource resource(arena.data(), arena.size());
  auto value = boost::json::parse(json, &resource);
  const auto& object = value.as_object();
  scratch.clear();
  for (const auto& entry : object) scratch.emplace_back(entry.key(), entry.value().to_number<std::int64_t>());
  index.set_chunk_grams(chunk_id, scratch);
}

}  // namespace

std::optional<SearchProbe> SearchIndexRepository::probe(const std::string& tenant_id,
                                                        const std::string& bot_id,
                                                        const std::string& words) {
  auto r = connection_.exec_prepared("registry_search_probe", kProbe, {tenant_id, bot_id, words});
  if (r.rows() == 0) return std::nullopt;
  SearchProbe probe;
  probe.knowledge_version = r.int64(0, 0);
  probe.language = r.str(0, 1);
  probe.lexemes = text_array_elements(r.text(0, 2));
  probe.gram_text = r.str(0, 3);
  return probe;
}

std::optional<LoadedIndex> SearchIndexRepository::load(const std::string& bot_id,
                                                       std::size_t max_bytes) {
  pg::Transaction tx(connection_);  // read only: rolled back at the end
  connection_.exec(kSnapshot);
  auto version = connection_.exec(kVersion, {bot_id});
  if (version.rows() == 0) return std::nullopt;
  LoadedIndex loaded;
  loaded.version = version.int64(0, 0);
  SearchStats stats;
  auto s = connection_.exec(kStats, {bot_id});
  if (s.rows() > 0) stats = SearchStats{s.int64(0, 0), s.int64(0, 1), s.int64(0, 2)};
  auto index = std::make_unique<BotSearchIndex>(loaded.version, stats);

  auto documents = connection_.exec(kDocuments, {bot_id});
  for (int row = 0; row < documents.rows(); ++row) {
    index->add_document(documents.str(row, 0), documents.str(row, 1), documents.int64(row, 2));
  }
  auto grams = connection_.exec(kGrams, {bot_id});
  for (int row = 0; row < grams.rows(); ++row) {
    index->add_gram(grams.text(row, 0), int32(grams, row, 1));
  }
  if (index->bytes() > max_bytes) return loaded;

  std::vector<std::pair<std::string_view, std::int64_t>> scratch;
  std::vector<unsigned char> arena(256 << 10);
  connection_.exec(kChunksCursor, {bot_id});
  for (;;) {
    auto batch = connection_.exec(kFetchChunks);
    if (batch.rows() == 0) break;
    for (int row = 0; row < batch.rows(); ++row) {
      auto id = batch.str(row, 0);
      index->add_chunk(id, batch.text(row, 1), int32(batch, row, 2), batch.str(row, 3),
                       int32(batch, row, 4), int32(batch, row, 5));
      set_grams(*index, id, batch.text(row, 6), scratch, arena);
    }
    if (index->bytes() > max_bytes) return loaded;
  }
  connection_.exec(kPostingsCursor, {bot_id});
  for (;;) {
    auto batch = connection_.exec(kFetchPostings);
    if (batch.rows() == 0) break;
    for (int row = 0; row < batch.rows(); ++row) {
      index->add_posting(batch.text(row, 0), batch.text(row, 1), int32(batch, row, 2),
                         int32(batch, row, 3));
    }
    if (index->bytes() > max_bytes) return loaded;
  }
  index->finish();
  if (index->bytes() > max_bytes) return loaded;
  loaded.index = std::move(index);
  return loaded;
}

}  // namespace botfactory::registry
