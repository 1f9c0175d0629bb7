#include "knowledge_repository.hpp"

#include "botfactory/rpc/timestamp.hpp"
#include "row_mapping.hpp"
#include "text_array.hpp"
#include "validation.hpp"

namespace botfactory::registry {
namespace {

constexpr const char* kTotalSize =
    "SELECT COALESCE(sum(size_bytes), 0)::bigint FROM registry.documents WHERE bot_id = $1::uuid";

#define BF_DOCUMENT_COLUMNS \
  "id, bot_id, title, format, size_bytes, chunk_count, " \
  "(extract(epoch from created_at) * 1000000)::bigint"

constexpr const char* kInsertDocument =
    "INSERT INTO registry.documents (bot_id, title, format, body, size_bytes, chunk_count) "
    "VALUES ($1::uuid, $2, $3, $4, $5::bigint, $6::int) RETURNING " BF_DOCUMENT_COLUMNS;
constexpr const char* kInsertChunks =
    "INSERT INTO registry.chunks (document_id, bot_id, ordinal, text, tsv, grams) "
    "SELECT $1::uuid, $2::uuid, t.ordinal - 1, t.text, "
    "setweight(to_tsvector($3::regconfig, registry.search_text(b.language, $4)), 'A') || "
    "setweight(to_tsvector($3::regconfig, registry.search_text(b.language, t.text)), 'B'), "
    "registry.gram_vector(b.language, $4, t.text) "
    "FROM registry.bots b, unnest($5::text[]) WITH ORDINALITY AS t(text, ordinal) "
    "WHERE b.id = $2::uuid";
// The 8th column: the document's title and every chunk have their sentence embedding (V020).
constexpr const char* kListDocuments =
    "SELECT " BF_DOCUMENT_COLUMNS ", title_embedding IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
    "registry.chunks c JOIN registry.chunk_embeddings e ON e.chunk_id = c.id WHERE c.document_id = d.id "
    "AND e.embedding IS NULL) FROM registry.documents d WHERE bot_id = $1::uuid ORDER BY created_at, id";
// Deletes the document (its chunks and postings go with it) and takes its chunks' grams off the
// bot's gram df (V007) in the same statement: every part of it sees the chunks as they were.
// The upsert runs in gram order, like kCountDocumentGrams, so concurrent writers of one bot
// lock registry.bot_grams rows in the same order.
constexpr const char* kDeleteDocument =
    "WITH gone AS (DELETE FROM registry.documents WHERE id = $2::uuid AND bot_id = $1::uuid "
    "RETURNING id), "
    "uncounted AS (INSERT INTO registry.bot_grams (bot_id, gram, df) "
    "SELECT $1::uuid, k, -count(*)::integer FROM registry.chunks c, jsonb_object_keys(c.grams) AS k "
    "WHERE c.document_id IN (SELECT id FROM gone) AND c.bot_id = $1::uuid GROUP BY k ORDER BY k "
    "ON CONFLICT (bot_id, gram) DO UPDATE SET df = registry.bot_grams.df + EXCLUDED.df), "
    "unstated AS (UPDATE registry.bot_search_stats s SET chunks = s.chunks - d.chunks, "
    "term_total = s.term_total - d.term_total, gram_total = s.gram_total - d.gram_total "
    "FROM (SELECT count(*)::integer AS chunks, COALESCE(sum(term_count), 0) AS term_total, "
    "COALESCE(sum(gram_count), 0) AS gram_total FROM registry.chunks "
    "WHERE document_id IN (SELECT id FROM gone) AND bot_id = $1::uuid) d "
    "WHERE s.bot_id = $1::uuid AND d.chunks > 0) "
    "SELECT count(*) FROM gone";
// The gram df of a bot (V007): + the grams of the chunks selected by the WHERE condition that
// follows, one per chunk that has them, upserted in gram order.
#define BF_COUNT_CHUNK_GRAMS \
  "INSERT INTO registry.bot_grams (bot_id, gram, df) " \
  "SELECT c.bot_id, k, count(*)::integer FROM registry.chunks c, jsonb_object_keys(c.grams) AS k " \
  "WHERE "
constexpr const char* kCountDocumentGrams =
    BF_COUNT_CHUNK_GRAMS "c.document_id = $1::uuid GROUP BY c.bot_id, k ORDER BY k "
    "ON CONFLICT (bot_id, gram) DO UPDATE SET df = registry.bot_grams.df + EXCLUDED.df";
constexpr const char* kDropBotGrams = "DELETE FROM registry.bot_grams WHERE bot_id = $1::uuid";
// The bot's search statistics (V007): + the chunks selected by the WHERE condition that follows.
#define BF_COUNT_CHUNK_STATS \
  "INSERT INTO registry.bot_search_stats AS s (bot_id, chunks, term_total, gram_total) " \
  "SELECT c.bot_id, count(*)::integer, sum(c.term_count), sum(c.gram_count) " \
  "FROM registry.chunks c WHERE "
#define BF_ADD_CHUNK_STATS \
  " GROUP BY c.bot_id ON CONFLICT (bot_id) DO UPDATE SET chunks = s.chunks + EXCLUDED.chunks, " \
  "term_total = s.term_total + EXCLUDED.term_total, gram_total = s.gram_total + EXCLUDED.gram_total"
constexpr const char* kCountDocumentStats =
    BF_COUNT_CHUNK_STATS "c.document_id = $1::uuid" BF_ADD_CHUNK_STATS;
constexpr const char* kDropBotStats =
    "DELETE FROM registry.bot_search_stats WHERE bot_id = $1::uuid";
constexpr const char* kCountBotStats = BF_COUNT_CHUNK_STATS "c.bot_id = $1::uuid" BF_ADD_CHUNK_STATS;
constexpr const char* kCountBotGrams =
    BF_COUNT_CHUNK_GRAMS "c.bot_id = $1::uuid GROUP BY c.bot_id, k ORDER BY k";
// The chunks' inverted index (V002): one row per (chunk, lexeme) with its BM25F tf and the
// chunk's length (V006), for the chunks selected by the WHERE condition that follows.
#define BF_INDEX_CHUNK_TERMS \
  "INSERT INTO registry.chunk_terms (bot_id, lexeme, chunk_id, tf, len) " \
  "SELECT c.bot_id, u.lexeme, c.id, registry.bm25_tf(u.positions, u.weights), c.term_count " \
  "FROM registry.chunks c, unnest(c.tsv) AS u WHERE "
constexpr const char* kIndexDocumentTerms = BF_INDEX_CHUNK_TERMS "c.document_id = $1::uuid";
constexpr const char* kDropBotTerms = "DELETE FROM registry.chunk_terms WHERE bot_id = $1::uuid";
constexpr const char* kIndexBotTerms = BF_INDEX_CHUNK_TERMS "c.bot_id = $1::uuid";
// Okapi BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond",
// 2009, eq. 3.15, with Lucene's idf ln(1 + (N - df + 0.5) / (df + 0.5))), k1 = 1.2, b = 0.75,
// in its BM25F form with the document title counted twice (tf and term_count, see V002). N, df
// and the average length are over the bot's chunks. The words go through to_tsvector
// (stemming, stop words) to get the same lexemes as the index; only their postings are read.
// The query goes through registry.search_text like the chunks (V005: Uzbek to Latin, prefix
// stems).
// The lexemes are a scalar subquery (an InitPlan: computed once, and an index condition on
// chunk_terms' primary key even before the table has statistics; a join with the CTE was
// planned as a filter that ran to_tsvector once per posting of the bot). Scoring reads only
// the postings (their len, V006: an index-only scan).
// Second stage (V007, docs/benchmarks.md "Character 4-grams"): the best GREATEST(limit, 20)
// chunks by that score (ties: lower chunk id) are the candidates; each gets 0.7 × the BM25
// (same k1, b; idf from the bot's gram df, registry.bot_grams; length the chunk's gram count)
// of the query's distinct character 4-grams found in its gram vector (registry.chunks.grams).
// The query's grams are cut inline (registry.gram_text, as registry.char_grams does), so the
// prepared statement plans them once, and each is looked up by the primary key of bot_grams
// (a LATERAL ... LIMIT 1: a generic plan made while the tables were small once scanned all the
// bot's grams instead); each candidate's vector is detoasted once (the `|| '{}'` copy in a
// materialized CTE) instead of once per gram. N and the average lengths come from the bot's
// row of registry.bot_search_stats (V007). A chunk that matches no query word is not a
// candidate. 4-grams across word boundaries, the weight 0.7 and 20 candidates were chosen on
// one half of the questions of COVID / XQuAD en / XQuAD ru (docs/benchmarks.md "Character
// 4-grams"); the other half is reported apart.
// The normalized score (docs/benchmarks.md "Normalized score"): the score over the
// best one the question could get in this bot, every query lexeme and 4-gram at BM25
// saturation (tf-part k1 + 1 = 2.2) with its idf, one unknown to the bot counted at df 0
// (`unseen_idf`): a question whose words the knowledge base lacks scores low however rare
// they are. In (0, 1]; comparable across questions and bots, unlike the raw score.
constexpr const char* kSearch =
    "WITH query AS (SELECT tsvector_to_array(to_tsvector($2::regconfig, registry.search_text("
    "(SELECT language FROM registry.bots WHERE id = $1::uuid), $3))) AS words), "
    "stats AS (SELECT chunks::float8 AS n, GREATEST(term_total::float8 / chunks, 1) AS avg_len, "
    "GREATEST(gram_total::float8 / chunks, 1) AS avg_grams, "
    "ln(1 + (chunks + 0.5) / 0.5) AS unseen_idf "
    "FROM registry.bot_search_stats WHERE bot_id = $1::uuid AND chunks > 0), "
    "matches AS (SELECT t.chunk_id, t.lexeme, t.tf, t.len FROM registry.chunk_terms t "
    "WHERE t.bot_id = $1::uuid AND t.lexeme = ANY ((SELECT words FROM query)::text[])), "
    "df AS (SELECT lexeme, count(*)::float8 AS df FROM matches GROUP BY lexeme), "
    "scored AS (SELECT m.chunk_id, sum(ln(1 + (s.n - df.df + 0.5) / (df.df + 0.5)) * m.tf * 2.2 "
    "/ (m.tf + 1.2 * (0.25 + 0.75 * m.len / s.avg_len))) AS score "
    "FROM matches m JOIN df USING (lexeme) CROSS JOIN stats s GROUP BY m.chunk_id "
    "ORDER BY score DESC, m.chunk_id LIMIT GREATEST($4::int, 20)), "
    "query_grams AS MATERIALIZED (SELECT DISTINCT m[1] AS gram FROM generate_series(1, 4) AS r, "
    "regexp_matches(substr(registry.gram_text((SELECT language FROM registry.bots "
    "WHERE id = $1::uuid), $3), r), '....', 'g') AS m), "
    "grams AS MATERIALIZED (SELECT q.gram, ln(1 + (s.n - b.df + 0.5) / (b.df + 0.5)) AS idf "
    "FROM query_grams q "
    "CROSS JOIN LATERAL (SELECT df FROM registry.bot_grams WHERE bot_id = $1::uuid "
    "AND gram = q.gram AND df > 0 LIMIT 1) b CROSS JOIN stats s), "
    "best AS (SELECT 2.2 * ((SELECT COALESCE(sum(ln(1 + (s.n - df + 0.5) / (df + 0.5))), 0) FROM df) "
    "+ (cardinality((SELECT words FROM query)) - (SELECT count(*) FROM df)) * s.unseen_idf) "
    "+ 0.7 * 2.2 * ((SELECT COALESCE(sum(idf), 0) FROM grams) "
    "+ ((SELECT count(*) FROM query_grams) - (SELECT count(*) FROM grams)) * s.unseen_idf) AS score "
    "FROM stats s), "
    "candidates AS MATERIALIZED (SELECT c.id, c.document_id, c.ordinal, c.text, sc.score, "
    "c.gram_count, c.grams || '{}'::jsonb AS grams "
    "FROM scored sc JOIN registry.chunks c ON c.id = sc.chunk_id), "
    "gram_scores AS (SELECT c.id, sum(g.idf * t.tf * 2.2 / (t.tf + 1.2 * (0.25 + 0.75 * "
    "c.gram_count / s.avg_grams))) AS score FROM candidates c CROSS JOIN stats s CROSS JOIN grams g "
    "CROSS JOIN LATERAL (SELECT (c.grams ->> g.gram)::float8 AS tf) t WHERE t.tf IS NOT NULL "
    "GROUP BY c.id) "
    "SELECT c.id, c.document_id, d.title, c.text, c.score + 0.7 * COALESCE(gs.score, 0) AS score, "
    "LEAST((c.score + 0.7 * COALESCE(gs.score, 0)) / NULLIF((SELECT score FROM best), 0), 1), "
    "c.ordinal FROM candidates c LEFT JOIN gram_scores gs ON gs.id = c.id "
    "JOIN registry.documents d ON d.id = c.document_id "
    "ORDER BY 5 DESC, d.created_at, c.ordinal LIMIT $4::int";
constexpr const char* kReindex =
    "UPDATE registry.chunks c "
    "SET tsv = setweight(to_tsvector($2::regconfig, registry.search_text(b.language, d.title)), 'A') "
    "|| setweight(to_tsvector($2::regconfig, registry.search_text(b.language, c.text)), 'B'), "
    "grams = registry.gram_vector(b.language, d.title, c.text) "
    "FROM registry.documents d, registry.bots b "
    "WHERE d.id = c.document_id AND b.id = c.bot_id AND c.bot_id = $1::uuid";

#undef BF_DOCUMENT_COLUMNS
#undef BF_INDEX_CHUNK_TERMS
#undef BF_COUNT_CHUNK_GRAMS
#undef BF_COUNT_CHUNK_STATS
#undef BF_ADD_CHUNK_STATS

registry::v1::Document document_from_row(const pg::Result& r, int row) {
  registry::v1::Document document;
  document.set_id(r.str(row, 0));
  document.set_bot_id(r.str(row, 1));
  document.set_title(r.str(row, 2));
  document.set_format(format_from_name(r.text(row, 3)));
  document.set_size_bytes(r.int64(row, 4));
  document.set_chunk_count(static_cast<std::int32_t>(r.int64(row, 5)));
  *document.mutable_created_at() = rpc::timestamp_from_micros(r.int64(row, 6));
  if (r.columns() > 7) document.set_embedded(r.boolean(row, 7));
  return document;
}

/// A row of kSearch.
registry::v1::KnowledgeChunk chunk_from_row(const pg::Result& r, int row) {
  registry::v1::KnowledgeChunk chunk;
  chunk.set_chunk_id(r.str(row, 0));
  chunk.set_document_id(r.str(row, 1));
  chunk.set_document_title(r.str(row, 2));
  chunk.set_text(r.str(row, 3));
  chunk.set_score(r.float64(row, 4));
  chunk.set_normalized_score(r.is_null(row, 5) ? 0.0 : r.float64(row, 5));
  chunk.set_ordinal(static_cast<std::int32_t>(r.int64(row, 6)));
  return chunk;
}

}  // namespace

std::int64_t KnowledgeRepository::total_size(const std::string& bot_id) {
  return connection_.exec(kTotalSize, {bot_id}).int64(0, 0);
}

registry::v1::Document KnowledgeRepository::insert(const NewDocument& document) {
  auto r = connection_.exec(
      kInsertDocument,
      {document.bot_id, document.title, std::string(format_name(document.format)), document.body,
       std::to_string(document.size_bytes), std::to_string(document.chunks.size())});
  auto stored = document_from_row(r, 0);
  connection_.exec(kInsertChunks, {stored.id(), document.bot_id, document.search_config,
                                   document.title, text_array_literal(document.chunks)});
  connection_.exec(kIndexDocumentTerms, {stored.id()});
  connection_.exec(kCountDocumentGrams, {stored.id()});
  connection_.exec(kCountDocumentStats, {stored.id()});
  return stored;
}

std::vector<registry::v1::Document> KnowledgeRepository::list(const std::string& bot_id) {
  return map_rows(connection_.exec(kListDocuments, {bot_id}), document_from_row);
}

bool KnowledgeRepository::remove(const std::string& bot_id, const std::string& document_id) {
  return connection_.exec(kDeleteDocument, {bot_id, document_id}).int64(0, 0) > 0;
}

std::vector<registry::v1::KnowledgeChunk> KnowledgeRepository::search(
    const std::string& bot_id, const std::string& search_config, const std::string& words,
    int limit) {
  return map_rows(
      connection_.exec_prepared("registry_search", kSearch,
                                {bot_id, search_config, words, std::to_string(limit)}),
      chunk_from_row);
}

void KnowledgeRepository::reindex(const std::string& bot_id, const std::string& search_config) {
  connection_.exec(kReindex, {bot_id, search_config});
  connection_.exec(kDropBotTerms, {bot_id});
  connection_.exec(kIndexBotTerms, {bot_id});
  connection_.exec(kDropBotGrams, {bot_id});
  connection_.exec(kCountBotGrams, {bot_id});
  connection_.exec(kDropBotStats, {bot_id});
  connection_.exec(kCountBotStats, {bot_id});
}

}  // namespace botfactory::registry
