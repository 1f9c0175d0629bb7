#pragma once
// The bot-registry domain: bots CRUD, knowledge ingestion and search, scoped by tenant, with
// the plan's limits enforced (proto/botfactory/registry/v1/registry.proto).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "botfactory/pg/pool.hpp"
#include "botfactory/registry/v1/registry.pb.h"
#include "entitlements.hpp"
#include "extraction_slots.hpp"
#include "text_extract.hpp"

#include "platform_keys.hpp"
#include "search_index_cache.hpp"
#include "semantic_rerank.hpp"
#include "word_vectors.hpp"
#include "sentence_encoder.hpp"
#include "sentence_blend.hpp"
#include "chunk_embedding_cache.hpp"

namespace botfactory::registry {

/// Tunables of BotRegistry.
struct RegistrySettings {
  std::size_t chunk_max_chars = 800;  // code points per search chunk
  int search_default_limit = 3;
  int search_max_limit = 20;
  /// Raw bytes of one uploaded document (REGISTRY_MAX_DOCUMENT_BYTES), checked before parsing.
  std::size_t max_document_bytes = 8 << 20;
  PdfLimits pdf;  // REGISTRY_PDF_MAX_PAGES
  /// Documents parsed at once (REGISTRY_EXTRACT_CONCURRENCY); a call waits for a slot until its
  /// deadline (at most extract_wait), then UNAVAILABLE.
  int extract_concurrency = 2;
  std::chrono::milliseconds extract_wait{30000};
  /// The platform's provider keys (OPENAI_API_KEY, GEMINI_API_KEY, …): a bot whose tenant has no
  /// key of its own answers with them (effective_answerer). Null = none.
  std::shared_ptr<const PlatformKeys> platform_keys;
  /// LLM_TENANT_PRIVATE_ADDRESSES: tenants' provider base URLs may name private / loopback hosts
  /// (ProviderKeys; test harnesses whose tenant "servers" run on 127.0.0.1 turn it on).
  bool tenant_private_addresses = false;
  /// REGISTRY_SEARCH_CACHE_MB: bytes of the in-process search indexes (SearchIndexCache); 0 =
  /// no index, every search in SQL.
  std::size_t search_cache_bytes = std::size_t{128} << 20;
  /// REGISTRY_WORD_VECTORS: English word vectors (WordVectors::load); with them, English bots'
  /// searches get the semantic re-rank (semantic_rerank.hpp). Null = lexical ranking only.
  std::shared_ptr<const WordVectors> word_vectors;
  /// REGISTRY_SENTENCE_ENCODER: English sentence embeddings (USE-lite); with it, English bots'
  /// searches get the sentence-encoder re-rank (sentence_blend.hpp) over the embeddings the
  /// backfill worker stores (embedding_backfill.hpp), instead of the word vectors. Null = off.
  std::shared_ptr<const SentenceEncoder> sentence_encoder;
  SemanticRerankSettings semantic;
  SentenceBlendSettings sentence;
  /// Tests only (empty in the service): search_knowledge calls it just before it embeds the
  /// question, when its database work is done and its pooled connection is back in the pool.
  std::function<void()> before_question_embedding;
};

/// Every method is thread-safe and throws rpc::StatusError for a client-facing failure:
/// INVALID_ARGUMENT (bad field; an empty or malformed tenant_id on every call but
/// get_bot_by_public_id), NOT_FOUND "bot not found" (unknown, another tenant's or malformed bot
/// id — never PERMISSION_DENIED), RESOURCE_EXHAUSTED (plan limit), UNAVAILABLE (subscription
/// unreachable); database failures surface as pg::Error; common::CallAbandoned when the gRPC
/// caller gave up before the commit (nothing is stored).
class BotRegistry {
 public:
  BotRegistry(std::shared_ptr<pg::Pool> pool, std::shared_ptr<EntitlementsClient> entitlements,
              RegistrySettings settings = {});

  /// Creates a bot with a fresh public id "pb_" + 16 base62 chars and its allowed origins
  /// (checked_origins). RESOURCE_EXHAUSTED
  /// "plan limit reached: N bots" when the tenant already has the plan's max_bots.
  registry::v1::Bot create_bot(const registry::v1::CreateBotRequest& request);
  registry::v1::Bot get_bot(const registry::v1::GetBotRequest& request);
  /// No tenant needed (widget); NOT_FOUND for an unknown or malformed public id.
  registry::v1::Bot get_bot_by_public_id(const registry::v1::GetBotByPublicIdRequest& request);
  registry::v1::ListBotsResponse list_bots(const registry::v1::ListBotsRequest& request);
  /// Changes only the fields present; a language change re-indexes the bot's chunks.
  registry::v1::Bot update_bot(const registry::v1::UpdateBotRequest& request);
  /// Deletes the bot with its documents and chunks (hard delete).
  void delete_bot(const registry::v1::DeleteBotRequest& request);

  /// Checks the raw size first — INVALID_ARGUMENT over settings.max_document_bytes,
  /// RESOURCE_EXHAUSTED when the bot's documents would pass the plan's max_knowledge_bytes —
  /// then extracts text (plain/Markdown/HTML from `body`, PDF from `content`; text_extract.hpp),
  /// chunks and indexes it in one transaction, re-checking the plan under the bot's row lock.
  /// At most settings.extract_concurrency documents are parsed at once (UNAVAILABLE when no
  /// slot frees up before the caller's deadline).
  /// INVALID_ARGUMENT when the extractor refuses the document or no text is left.
  registry::v1::Document add_document(const registry::v1::AddDocumentRequest& request);
  registry::v1::ListDocumentsResponse list_documents(const registry::v1::ListDocumentsRequest& request);
  /// NOT_FOUND "document not found" when the bot has no such document.
  void delete_document(const registry::v1::DeleteDocumentRequest& request);
  /// Ranked chunks for the query (limit default 3, at most 20); empty for an empty query or when
  /// no word matches. One probe statement per call (bot, knowledge version, the question's
  /// lexemes and gram text); then the bot's in-process index when it is cached at that version,
  /// else the SQL search (KnowledgeRepository::search) — the same results either way. English
  /// bots: with the sentence encoder, the lexical best max(limit, 20) re-ordered by the blend of
  /// sentence_blend.hpp (the candidates' stored embeddings from ChunkEmbeddingCache or one
  /// prepared statement, the question embedded once), semantic_similarity set; else with word
  /// vectors, semantic_rerank(). All database work is done on one pooled connection, which is
  /// returned before the re-rank: no connection is held while the question is embedded.
  registry::v1::SearchKnowledgeResponse search_knowledge(
      const registry::v1::SearchKnowledgeRequest& request);

  /// The in-process search indexes; null when settings.search_cache_bytes is 0.
  SearchIndexCache* search_cache() { return search_cache_.get(); }

 private:
  std::shared_ptr<pg::Pool> pool_;
  std::shared_ptr<EntitlementsClient> entitlements_;
  RegistrySettings settings_;
  ExtractionSlots extraction_slots_;
  std::unique_ptr<SearchIndexCache> search_cache_;
  std::unique_ptr<ChunkVectorCache> chunk_vectors_;  // with settings_.word_vectors
  std::unique_ptr<ChunkEmbeddingCache> chunk_embeddings_;  // with settings_.sentence_encoder

  /// The stored embeddings of `chunks` (same order; nullopt = not embedded yet): from
  /// ChunkEmbeddingCache, the misses in one statement on `connection` (then cached).
  std::vector<std::optional<ChunkEmbeddings>> candidate_embeddings(
      pg::Connection& connection, const std::string& bot_id, const std::vector<registry::v1::KnowledgeChunk>& chunks);
  /// The sentence-encoder re-rank of `chunks` (lexical order) for `query`, with their `stored`
  /// embeddings (candidate_embeddings()); embeds the question only when one is embedded. No
  /// database access.
  void sentence_rerank(const std::string& query, std::vector<registry::v1::KnowledgeChunk>& chunks,
                       const std::vector<std::optional<ChunkEmbeddings>>& stored);
};

}  // namespace botfactory::registry
