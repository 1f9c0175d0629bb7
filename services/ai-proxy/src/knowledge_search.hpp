#pragma once
// Retrieval of knowledge-base chunks for a question (BotRegistryService.SearchKnowledge).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace grpc {
class Channel;
}

namespace botfactory::ai {

/// One ranked chunk (registry.v1.KnowledgeChunk).
struct KnowledgeHit {
  std::string chunk_id;
  std::string document_id;
  std::string document_title;
  std::string text;
  double score = 0.0;  // higher is better
  /// score / the best score the question could get in the bot, in (0, 1]; 0 = not reported
  /// (registry.v1.KnowledgeChunk.normalized_score).
  double normalized_score = 0.0;
  /// The sentence-encoder re-rank's similarity of the question to the chunk (cosine, mean of text
  /// and title; registry.v1.KnowledgeChunk.semantic_similarity) when `semantic`.
  double semantic_similarity = 0.0;
  bool semantic = false;  // registry.v1.KnowledgeChunk.semantic: the similarity is reported
  /// The chunk's position in its document, from 0 (registry.v1.KnowledgeChunk.ordinal).
  int ordinal = 0;
};

/// Where the extractive provider finds its material. Thread-safe. search() returns the best
/// `limit` chunks, best first (empty when nothing matches) and throws rpc::StatusError:
/// NOT_FOUND when the bot does not exist for the tenant, UNAVAILABLE when the source cannot
/// be reached.
class KnowledgeSearch {
 public:
  virtual ~KnowledgeSearch() = default;
  virtual std::vector<KnowledgeHit> search(const std::string& tenant_id, const std::string& bot_id,
                                           const std::string& query, int limit) = 0;
};

/// KnowledgeSearch over gRPC to bot-registry, each call with a deadline of `timeout`.
/// NOT_FOUND and INVALID_ARGUMENT pass through with the registry's message; any other failure
/// (unreachable, deadline) is UNAVAILABLE "knowledge base unavailable", the cause logged.
class GrpcKnowledgeSearch : public KnowledgeSearch {
 public:
  GrpcKnowledgeSearch(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  std::vector<KnowledgeHit> search(const std::string& tenant_id, const std::string& bot_id,
                                   const std::string& query, int limit) override;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::chrono::milliseconds timeout_;
};

}  // namespace botfactory::ai
