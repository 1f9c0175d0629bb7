#include "embedding_repository.hpp"

#include "text_array.hpp"

namespace botfactory::registry {
namespace {

constexpr const char* kInvalidateChunks =
    "UPDATE registry.chunk_embeddings SET embedding = NULL "
    "WHERE embedding IS NOT NULL AND (length(embedding) = 0 OR get_byte(embedding, 0) <> $1::int)";
constexpr const char* kInvalidateTitles =
    "UPDATE registry.title_embeddings SET embedding = NULL "
    "WHERE embedding IS NOT NULL AND (length(embedding) = 0 OR get_byte(embedding, 0) <> $1::int)";
// The queues hold only English bots' rows (V021), so claims and counts need no registry.bots.
constexpr const char* kClaimChunks =
    "SELECT e.chunk_id::text, c.text FROM registry.chunk_embeddings e "
    "JOIN registry.chunks c ON c.id = e.chunk_id "
    "WHERE e.embedding IS NULL LIMIT $1::int FOR UPDATE OF e SKIP LOCKED";
constexpr const char* kClaimTitles =
    "SELECT e.document_id::text, d.title FROM registry.title_embeddings e "
    "JOIN registry.documents d ON d.id = e.document_id "
    "WHERE e.embedding IS NULL LIMIT $1::int FOR UPDATE OF e SKIP LOCKED";
constexpr const char* kStoreChunks =
    "UPDATE registry.chunk_embeddings e SET embedding = decode(t.hex, 'hex') "
    "FROM unnest($1::uuid[], $2::text[]) AS t(id, hex) WHERE e.chunk_id = t.id AND e.embedding IS NULL";
constexpr const char* kStoreTitles =
    "UPDATE registry.title_embeddings e SET embedding = decode(t.hex, 'hex') "
    "FROM unnest($1::uuid[], $2::text[]) AS t(id, hex) WHERE e.document_id = t.id AND e.embedding IS NULL";
constexpr const char* kPending =
    "SELECT (SELECT count(*) FROM registry.chunk_embeddings WHERE embedding IS NULL), "
    "       (SELECT count(*) FROM registry.title_embeddings WHERE embedding IS NULL)";
constexpr const char* kLoad =
    "SELECT c.id::text, e.embedding, t.embedding FROM registry.chunks c "
    "LEFT JOIN registry.chunk_embeddings e ON e.chunk_id = c.id "
    "LEFT JOIN registry.title_embeddings t ON t.document_id = c.document_id "
    "WHERE c.id = ANY($2::uuid[]) AND c.bot_id = $1::uuid";

std::vector<PendingText> pending_rows(const pg::Result& result) {
  std::vector<PendingText> out;
  out.reserve(static_cast<std::size_t>(result.rows()));
  for (int r = 0; r < result.rows(); ++r) out.push_back({result.str(r, 0), result.str(r, 1)});
  return out;
}

/// The values as hex text (decode(…, 'hex') in SQL): no bytea escaping inside an array literal.
std::string hex_array(const std::vector<std::string>& values) {
  std::vector<std::string> hex;
  hex.reserve(values.size());
  for (const auto& v : values) hex.push_back(bytea_param(v).substr(2));
  return text_array_literal(hex);
}

StoredEmbedding stored(const pg::Result& result, int row, int column) {
  if (result.is_null(row, column)) return {};
  return decode_embedding(bytea_value(result.text(row, column)));
}

}  // namespace

std::int64_t EmbeddingRepository::invalidate_other_formats(std::uint8_t format) {
  const std::string f = std::to_string(format);
  return connection_.exec(kInvalidateChunks, {f}).affected() + connection_.exec(kInvalidateTitles, {f}).affected();
}

std::vector<PendingText> EmbeddingRepository::claim_chunks(int limit) {
  return pending_rows(connection_.exec_prepared("embed_claim_chunks", kClaimChunks, {std::to_string(limit)}));
}

std::vector<PendingText> EmbeddingRepository::claim_titles(int limit) {
  return pending_rows(connection_.exec_prepared("embed_claim_titles", kClaimTitles, {std::to_string(limit)}));
}

std::int64_t EmbeddingRepository::store_chunks(const std::vector<std::string>& ids,
                                               const std::vector<std::string>& values) {
  if (ids.empty()) return 0;
  return connection_.exec_prepared("embed_store_chunks", kStoreChunks, {text_array_literal(ids), hex_array(values)})
      .affected();
}

std::int64_t EmbeddingRepository::store_titles(const std::vector<std::string>& ids,
                                               const std::vector<std::string>& values) {
  if (ids.empty()) return 0;
  return connection_.exec_prepared("embed_store_titles", kStoreTitles, {text_array_literal(ids), hex_array(values)})
      .affected();
}

EmbeddingRepository::Pending EmbeddingRepository::pending() {
  auto result = connection_.exec_prepared("embed_pending", kPending, {});
  return {result.int64(0, 0), result.int64(0, 1)};
}

std::vector<CandidateEmbeddings> EmbeddingRepository::load(const std::string& bot_id,
                                                           const std::vector<std::string>& chunk_ids) {
  std::vector<CandidateEmbeddings> out;
  if (chunk_ids.empty()) return out;
  auto result = connection_.exec_prepared("embed_load", kLoad, {bot_id, text_array_literal(chunk_ids)});
  out.reserve(static_cast<std::size_t>(result.rows()));
  for (int r = 0; r < result.rows(); ++r) out.push_back({result.str(r, 0), stored(result, r, 1), stored(result, r, 2)});
  return out;
}

}  // namespace botfactory::registry
