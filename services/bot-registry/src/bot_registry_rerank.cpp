// BotRegistry's sentence-encoder re-rank of a search's candidates (docs/architecture.md
// "Sentence-encoder re-rank of English searches"): the candidates' stored embeddings (the
// chunk_embeddings_ cache, then registry.chunk_embeddings) and the blend of their similarity to
// the question with the lexical score. Apart from bot_registry.cpp (bots, documents, search).

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bot_registry.hpp"
#include "embedding_repository.hpp"

namespace botfactory::registry {

std::vector<std::optional<ChunkEmbeddings>> BotRegistry::candidate_embeddings(
    pg::Connection& connection, const std::string& bot_id, const std::vector<registry::v1::KnowledgeChunk>& chunks) {
  const std::size_t n = chunks.size();
  std::vector<std::optional<ChunkEmbeddings>> stored(n);
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < n; ++i) {
    stored[i] = chunk_embeddings_->get(chunks[i].chunk_id());
    if (!stored[i]) missing.push_back(chunks[i].chunk_id());
  }
  if (missing.empty()) return stored;
  std::unordered_map<std::string, ChunkEmbeddings> loaded;
  for (auto& row : EmbeddingRepository(connection).load(bot_id, missing)) {
    // Complete only: the text embedded, and the title embedded or known to be no title.
    if (row.text.kind != StoredEmbedding::Kind::vector || row.title.kind == StoredEmbedding::Kind::missing) continue;
    ChunkEmbeddings e{std::move(row.text.vector), std::nullopt};
    if (row.title.kind == StoredEmbedding::Kind::vector) e.title = std::move(row.title.vector);
    chunk_embeddings_->put(row.chunk_id, e);
    loaded.emplace(std::move(row.chunk_id), std::move(e));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (stored[i]) continue;
    auto it = loaded.find(chunks[i].chunk_id());
    if (it != loaded.end()) stored[i] = it->second;
  }
  return stored;
}

void BotRegistry::sentence_rerank(const std::string& query, std::vector<registry::v1::KnowledgeChunk>& chunks,
                                  const std::vector<std::optional<ChunkEmbeddings>>& stored) {
  const std::size_t n = chunks.size();
  bool any = false;
  for (const auto& s : stored) any = any || s.has_value();
  if (!any) return;  // nothing embedded yet (or no candidate): the lexical order stays
  if (settings_.before_question_embedding) settings_.before_question_embedding();
  const auto q = settings_.sentence_encoder->embed(query);
  std::vector<double> scores(n);
  std::vector<std::optional<double>> similarities(n);
  for (std::size_t i = 0; i < n; ++i) {
    scores[i] = chunks[i].score();
    if (!stored[i]) continue;
    std::optional<double> title;
    if (stored[i]->title) title = stored[i]->title->cosine(q);
    similarities[i] = chunk_similarity(stored[i]->text.cosine(q), title);
  }
  std::vector<double> filled;
  auto order = sentence_blend_order(scores, similarities, settings_.sentence.weight, &filled);
  std::vector<registry::v1::KnowledgeChunk> sorted;
  sorted.reserve(n);
  for (auto i : order) {
    if (similarities[i]) {
      chunks[i].set_semantic_similarity(*similarities[i]);
      chunks[i].set_semantic(true);
    }
    sorted.push_back(std::move(chunks[i]));
  }
  chunks = std::move(sorted);
}

}  // namespace botfactory::registry
