#pragma once
// gRPC adapter of BotRegistry (botfactory.registry.v1.BotRegistryService, sync API: handlers
// block on PostgreSQL on gRPC's thread pool).

#include <memory>

#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "bot_registry.hpp"
#include "provider_keys.hpp"

namespace botfactory::registry {

/// Thin: each RPC calls BotRegistry inside rpc::guard(), which maps errors to statuses, and
/// counts the outcome in botfactory_registry_rpc_total{rpc,code}.
class RegistryService final : public registry::v1::BotRegistryService::Service {
 public:
  RegistryService(std::shared_ptr<BotRegistry> registry, std::shared_ptr<ProviderKeys> keys);

  grpc::Status CreateBot(grpc::ServerContext*, const registry::v1::CreateBotRequest* request,
                         registry::v1::Bot* response) override;
  grpc::Status GetBot(grpc::ServerContext*, const registry::v1::GetBotRequest* request,
                      registry::v1::Bot* response) override;
  grpc::Status GetBotByPublicId(grpc::ServerContext*,
                                const registry::v1::GetBotByPublicIdRequest* request,
                                registry::v1::Bot* response) override;
  grpc::Status ListBots(grpc::ServerContext*, const registry::v1::ListBotsRequest* request,
                        registry::v1::ListBotsResponse* response) override;
  grpc::Status UpdateBot(grpc::ServerContext*, const registry::v1::UpdateBotRequest* request,
                         registry::v1::Bot* response) override;
  grpc::Status DeleteBot(grpc::ServerContext*, const registry::v1::DeleteBotRequest* request,
                         registry::v1::DeleteBotResponse* response) override;
  grpc::Status AddDocument(grpc::ServerContext*, const registry::v1::AddDocumentRequest* request,
                           registry::v1::Document* response) override;
  grpc::Status ListDocuments(grpc::ServerContext*, const registry::v1::ListDocumentsRequest* request,
                             registry::v1::ListDocumentsResponse* response) override;
  grpc::Status DeleteDocument(grpc::ServerContext*,
                              const registry::v1::DeleteDocumentRequest* request,
                              registry::v1::DeleteDocumentResponse* response) override;
  grpc::Status SearchKnowledge(grpc::ServerContext*,
                               const registry::v1::SearchKnowledgeRequest* request,
                               registry::v1::SearchKnowledgeResponse* response) override;
  grpc::Status SetProviderKey(grpc::ServerContext*, const registry::v1::SetProviderKeyRequest* request,
                              registry::v1::ProviderKey* response) override;
  grpc::Status DeleteProviderKey(grpc::ServerContext*,
                                 const registry::v1::DeleteProviderKeyRequest* request,
                                 registry::v1::DeleteProviderKeyResponse* response) override;
  grpc::Status ListProviderKeys(grpc::ServerContext*,
                                const registry::v1::ListProviderKeysRequest* request,
                                registry::v1::ListProviderKeysResponse* response) override;
  grpc::Status GetBotModelConfig(grpc::ServerContext*,
                                 const registry::v1::GetBotModelConfigRequest* request,
                                 registry::v1::BotModelConfig* response) override;

 private:
  std::shared_ptr<BotRegistry> registry_;
  std::shared_ptr<ProviderKeys> keys_;
};

}  // namespace botfactory::registry
