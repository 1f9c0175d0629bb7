#include "webhooks/webhook_grpc_service.hpp"

#include <chrono>

#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "webhooks/webhook_endpoints.hpp"

namespace botfactory::channel {
namespace {

/// Runs `body` after the tenant check with the domain errors translated.
template <typename Body>
void with_webhooks(const std::string& tenant_id, Body&& body) {
  rpc::require_tenant(tenant_id);
  try {
    body();
  } catch (const WebhookInvalid& e) {
    rpc::throw_invalid(e.what());
  } catch (const WebhookNotFound& e) {
    rpc::throw_not_found(e.what());
  } catch (const WebhookSecretsOff& e) {
    throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION, e.what());
  } catch (const WebhookLimitReached& e) {
    throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION,
                           std::string("webhook_limit: ") + e.what());
  }
}

void to_proto(const WebhookEndpointRow& row, chat::v1::WebhookEndpoint& out) {
  out.set_id(row.id);
  out.set_url(row.url);
  for (const auto& e : row.events) out.add_events(e);
  out.set_enabled(row.enabled);
  *out.mutable_created_at() = rpc::timestamp_from_micros(row.created_at_us);
  *out.mutable_updated_at() = rpc::timestamp_from_micros(row.updated_at_us);
}

std::vector<std::string> events_of(const google::protobuf::RepeatedPtrField<std::string>& events) {
  return {events.begin(), events.end()};
}

}  // namespace

grpc::Status WebhookGrpc::ListWebhookEndpoints(grpc::ServerContext*,
                                               const chat::v1::ListWebhookEndpointsRequest* request,
                                               chat::v1::ListWebhookEndpointsResponse* response) {
  return rpc::guard("ListWebhookEndpoints", [&] {
    with_webhooks(request->tenant_id(), [&] {
      for (const auto& row : endpoints_.list(request->tenant_id())) {
        to_proto(row, *response->add_endpoints());
      }
      response->set_max(endpoints_.max_per_tenant());
    });
  });
}

grpc::Status WebhookGrpc::CreateWebhookEndpoint(grpc::ServerContext*,
                                                const chat::v1::CreateWebhookEndpointRequest* request,
                                                chat::v1::CreateWebhookEndpointResponse* response) {
  return rpc::guard("CreateWebhookEndpoint", [&] {
    with_webhooks(request->tenant_id(), [&] {
      auto created =
          endpoints_.create(request->tenant_id(), request->url(), events_of(request->events()));
      to_proto(created.endpoint, *response->mutable_endpoint());
      response->set_secret(created.secret);
    });
  });
}

grpc::Status WebhookGrpc::UpdateWebhookEndpoint(grpc::ServerContext*,
                                                const chat::v1::UpdateWebhookEndpointRequest* request,
                                                chat::v1::WebhookEndpoint* response) {
  return rpc::guard("UpdateWebhookEndpoint", [&] {
    with_webhooks(request->tenant_id(), [&] {
      std::optional<std::string> url;
      std::optional<std::vector<std::string>> events;
      std::optional<bool> enabled;
      if (request->has_url()) url = request->url();
      if (request->set_events()) events = events_of(request->events());
      if (request->has_enabled()) enabled = request->enabled();
      to_proto(endpoints_.update(request->tenant_id(), request->id(), url, events, enabled), *response);
    });
  });
}

grpc::Status WebhookGrpc::DeleteWebhookEndpoint(grpc::ServerContext*,
                                                const chat::v1::DeleteWebhookEndpointRequest* request,
                                                chat::v1::DeleteWebhookEndpointResponse*) {
  return rpc::guard("DeleteWebhookEndpoint", [&] {
    with_webhooks(request->tenant_id(), [&] { endpoints_.remove(request->tenant_id(), request->id()); });
  });
}

grpc::Status WebhookGrpc::ListWebhookDeliveries(grpc::ServerContext*,
                                                const chat::v1::ListWebhookDeliveriesRequest* request,
                                                chat::v1::ListWebhookDeliveriesResponse* response) {
  return rpc::guard("ListWebhookDeliveries", [&] {
    with_webhooks(request->tenant_id(), [&] {
      for (const auto& row :
           endpoints_.deliveries(request->tenant_id(), request->id(), request->limit())) {
        auto& out = *response->add_deliveries();
        out.set_id(row.id);
        out.set_event(row.event);
        out.set_status(row.status);
        out.set_attempts(row.attempts);
        out.set_last_status_code(row.last_status_code);
        out.set_last_error(row.last_error);
        *out.mutable_created_at() = rpc::timestamp_from_micros(row.created_at_us);
        if (row.status == "pending") {
          *out.mutable_next_attempt_at() = rpc::timestamp_from_micros(row.next_attempt_us);
        }
        if (row.delivered_at_us > 0) {
          *out.mutable_delivered_at() = rpc::timestamp_from_micros(row.delivered_at_us);
        }
      }
    });
  });
}

grpc::Status WebhookGrpc::SendWebhookTest(grpc::ServerContext*,
                                          const chat::v1::SendWebhookTestRequest* request,
                                          chat::v1::SendWebhookTestResponse* response) {
  return rpc::guard("SendWebhookTest", [&] {
    with_webhooks(request->tenant_id(), [&] {
      const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      response->set_delivery_id(endpoints_.send_test(request->tenant_id(), request->id(), now));
      if (wake_) wake_();
    });
  });
}

grpc::Status WebhookGrpc::RotateWebhookSecret(grpc::ServerContext*,
                                              const chat::v1::RotateWebhookSecretRequest* request,
                                              chat::v1::RotateWebhookSecretResponse* response) {
  return rpc::guard("RotateWebhookSecret", [&] {
    with_webhooks(request->tenant_id(), [&] {
      response->set_secret(endpoints_.rotate_secret(request->tenant_id(), request->id()));
    });
  });
}

}  // namespace botfactory::channel
