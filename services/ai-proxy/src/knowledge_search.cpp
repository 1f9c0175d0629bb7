#include "knowledge_search.hpp"

#include "botfactory/common/logging.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::ai {

GrpcKnowledgeSearch::GrpcKnowledgeSearch(std::shared_ptr<grpc::Channel> channel,
                                         std::chrono::milliseconds timeout)
    : channel_(std::move(channel)), timeout_(timeout) {}

std::vector<KnowledgeHit> GrpcKnowledgeSearch::search(const std::string& tenant_id,
                                                      const std::string& bot_id,
                                                      const std::string& query, int limit) {
  auto stub = registry::v1::BotRegistryService::NewStub(channel_);
  grpc::ClientContext context;
  rpc::set_deadline(context, timeout_);
  registry::v1::SearchKnowledgeRequest request;
  request.set_tenant_id(tenant_id);
  request.set_bot_id(bot_id);
  request.set_query(query);
  request.set_limit(limit);
  registry::v1::SearchKnowledgeResponse response;
  auto status = stub->SearchKnowledge(&context, request, &response);
  if (!status.ok()) {
    if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
        status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      throw rpc::StatusError(status.error_code(), status.error_message());
    }
    common::logger("knowledge")
        ->warn("SearchKnowledge failed: code={} {}", static_cast<int>(status.error_code()),
               common::json_escape(status.error_message()));
    throw rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "knowledge base unavailable");
  }
  std::vector<KnowledgeHit> hits;
  hits.reserve(static_cast<std::size_t>(response.chunks_size()));
  for (const auto& chunk : response.chunks()) {
    hits.push_back({chunk.chunk_id(), chunk.document_id(), chunk.document_title(), chunk.text(),
                    chunk.score(), chunk.normalized_score(), chunk.semantic_similarity(), chunk.semantic(),
                    chunk.ordinal()});
  }
  return hits;
}

}  // namespace botfactory::ai
