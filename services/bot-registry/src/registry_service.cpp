#include "registry_service.hpp"

#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/timestamp.hpp"

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

registry::v1::ProviderKey provider_key_message(const ProviderKeyInfo& info) {
  registry::v1::ProviderKey key;
  key.set_provider(info.provider);
  key.set_last_four(info.last_four);
  key.set_base_url(info.base_url);
  *key.mutable_created_at() = rpc::timestamp_from_micros(info.created_at_us);
  *key.mutable_updated_at() = rpc::timestamp_from_micros(info.updated_at_us);
  return key;
}

void fill_model_config(const BotModelConfig& config, registry::v1::BotModelConfig* out) {
  out->set_bot_id(config.bot_id);
  auto* provider = out->mutable_provider();
  provider->set_provider(config.provider.provider);
  provider->set_model(config.provider.model);
  provider->set_temperature(config.provider.temperature);
  provider->set_max_output_tokens(config.provider.max_output_tokens);
  provider->set_fallback_to_extractive(config.provider.fallback_to_extractive);
  out->set_effective_answerer(config.effective_answerer);
  out->set_effective_answerer_reason(config.effective_answerer_reason);
  out->set_api_key(config.api_key);
  out->set_base_url(config.base_url);
}

}  // namespace

RegistryService::RegistryService(std::shared_ptr<BotRegistry> registry,
                                 std::shared_ptr<ProviderKeys> keys)
    : registry_(std::move(registry)), keys_(std::move(keys)) {}

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

grpc::Status RegistryService::SetProviderKey(grpc::ServerContext*,
                                             const registry::v1::SetProviderKeyRequest* request,
                                             registry::v1::ProviderKey* response) {
  return handle("SetProviderKey", [&] {
    *response = provider_key_message(keys_->set_key(request->tenant_id(), request->provider(),
                                                    request->key(), request->base_url()));
  });
}

grpc::Status RegistryService::DeleteProviderKey(grpc::ServerContext*,
                                                const registry::v1::DeleteProviderKeyRequest* request,
                                                registry::v1::DeleteProviderKeyResponse*) {
  return handle("DeleteProviderKey",
                [&] { keys_->delete_key(request->tenant_id(), request->provider()); });
}

grpc::Status RegistryService::ListProviderKeys(grpc::ServerContext*,
                                               const registry::v1::ListProviderKeysRequest* request,
                                               registry::v1::ListProviderKeysResponse* response) {
  return handle("ListProviderKeys", [&] {
    for (const auto& info : keys_->list_keys(request->tenant_id())) {
      *response->add_keys() = provider_key_message(info);
    }
  });
}

grpc::Status RegistryService::GetBotModelConfig(grpc::ServerContext*,
                                                const registry::v1::GetBotModelConfigRequest* request,
                                                registry::v1::BotModelConfig* response) {
  return handle("GetBotModelConfig", [&] {
    fill_model_config(keys_->model_config(request->tenant_id(), request->bot_id()), response);
  });
}

}  // namespace botfactory::registry
