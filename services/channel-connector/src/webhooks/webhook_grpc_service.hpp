#pragma once
// The gRPC face of WebhookEndpoints (WebhookEndpointService, webhook_endpoints.proto): proto ↔
// plain types; WebhookInvalid → INVALID_ARGUMENT, WebhookNotFound → NOT_FOUND,
// WebhookLimitReached → FAILED_PRECONDITION "webhook_limit: …"; everything else through
// rpc::guard.

#include <functional>

#include "botfactory/chat/v1/webhook_endpoints.grpc.pb.h"

namespace botfactory::channel {

class WebhookEndpoints;

/// Serves WebhookEndpointService. `endpoints` must outlive it; `wake` (may be empty) is called
/// after SendWebhookTest queued a row (the dispatcher sends it at once).
class WebhookGrpc final : public chat::v1::WebhookEndpointService::Service {
 public:
  WebhookGrpc(WebhookEndpoints& endpoints, std::function<void()> wake = {})
      : endpoints_(endpoints), wake_(std::move(wake)) {}

  grpc::Status ListWebhookEndpoints(grpc::ServerContext*, const chat::v1::ListWebhookEndpointsRequest*,
                                    chat::v1::ListWebhookEndpointsResponse*) override;
  grpc::Status CreateWebhookEndpoint(grpc::ServerContext*, const chat::v1::CreateWebhookEndpointRequest*,
                                     chat::v1::CreateWebhookEndpointResponse*) override;
  grpc::Status UpdateWebhookEndpoint(grpc::ServerContext*, const chat::v1::UpdateWebhookEndpointRequest*,
                                     chat::v1::WebhookEndpoint*) override;
  grpc::Status DeleteWebhookEndpoint(grpc::ServerContext*, const chat::v1::DeleteWebhookEndpointRequest*,
                                     chat::v1::DeleteWebhookEndpointResponse*) override;
  grpc::Status ListWebhookDeliveries(grpc::ServerContext*, const chat::v1::ListWebhookDeliveriesRequest*,
                                     chat::v1::ListWebhookDeliveriesResponse*) override;
  grpc::Status SendWebhookTest(grpc::ServerContext*, const chat::v1::SendWebhookTestRequest*,
                               chat::v1::SendWebhookTestResponse*) override;
  grpc::Status RotateWebhookSecret(grpc::ServerContext*, const chat::v1::RotateWebhookSecretRequest*,
                                   chat::v1::RotateWebhookSecretResponse*) override;

 private:
  WebhookEndpoints& endpoints_;
  std::function<void()> wake_;
};

}  // namespace botfactory::channel
