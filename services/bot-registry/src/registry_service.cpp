#include "registry_service.hpp"

#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::registry {
namespace {

/// Runs `body` under rpc::guard and counts the resulting status code.
template <typename Body>
grpc::Status handle(const char* rpc_name, Body&& body) {
  auto status = rpc::guard(rpc_name, std::forward<Body>(body));
  metrics::Registry::global()
      .counter("botfactory_registry_rpc_total", "BotRegistryService calls by RPC and status code",
               std::string("rpc=\"") + rpc_name + "\",code=\"" +
                   std::to_string(static_cast<int>(status.error_code())) + "\"")
      .inc();
  return status;
}

}  // namespace

RegistryService::RegistryService(std::shared_ptr<BotRegistry> registry)
    : registry_(std::move(registry)) {}

grpc::Status RegistryService::CreateBot(grpc::ServerContext*, const registry::v1::CreateBotRequest* request,
                                        registry::v1::Bot* response) {
  return handle("CreateBot", [&] { *response = registry_->create_bot(*request); });
}

grpc::Status RegistryService::GetBot(grpc::ServerContext*, const registry::v1::GetBotRequest* request,
                                     registry::v1::Bot* response) {
  return handle("GetBot", [&] { *response = registry_->get_bot(*request); });
}

grpc::Status RegistryService::GetBotByPublicId(grpc::ServerContext*,
                                               const registry::v1::GetBotByPublicIdRequest* request,
                                               registry::v1::Bot* response) {
  return handle("GetBotByPublicId", [&] { *response = registry_->get_bot_by_public_id(*request); });
}

grpc::Status RegistryService::ListBots(grpc::ServerContext*, const registry::v1::ListBotsRequest* request,
                                       registry::v1::ListBotsResponse* response) {
  return handle("ListBots", [&] { *response = registry_->list_bots(*request); });
}

grpc::Status RegistryService::UpdateBot(grpc::ServerContext*, const registry::v1::UpdateBotRequest* request,
                                        registry::v1::Bot* response) {
  return handle("UpdateBot", [&] { *response = registry_->update_bot(*request); });
}

grpc::Status RegistryService::DeleteBot(grpc::ServerContext*, const registry::v1::DeleteBotRequest* request,
                                        registry::v1::DeleteBotResponse*) {
  return handle("DeleteBot", [&] { registry_->delete_bot(*request); });
}

grpc::Status RegistryService::AddDocument(grpc::ServerContext*,
                                          const registry::v1::AddDocumentRequest* request,
                                          registry::v1::Document* response) {
  return handle("AddDocument", [&] { *response = registry_->add_document(*request); });
}

grpc::Status RegistryService::ListDocuments(grpc::ServerContext*,
                                            const registry::v1::ListDocumentsRequest* request,
                                            registry::v1::ListDocumentsResponse* response) {
  return handle("ListDocuments", [&] { *response = registry_->list_documents(*request); });
}

grpc::Status RegistryService::DeleteDocument(grpc::ServerContext*,
                                             const registry::v1::DeleteDocumentRequest* request,
                                             registry::v1::DeleteDocumentResponse*) {
  return handle("DeleteDocument", [&] { registry_->delete_document(*request); });
}

grpc::Status RegistryService::SearchKnowledge(grpc::ServerContext*,
                                              const registry::v1::SearchKnowledgeRequest* request,
                                              registry::v1::SearchKnowledgeResponse* response) {
  return handle("SearchKnowledge", [&] { *response = registry_->search_knowledge(*request); });
}

}  // namespace botfactory::registry
