#include "rest/webhook_endpoints_rest.hpp"

#include <optional>

#include <boost/json.hpp>

#include "botfactory/chat/v1/webhook_endpoints.grpc.pb.h"
#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "rest/json_response.hpp"
#include "rest/query_params.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;
using WebhookRpc = chat::v1::WebhookEndpointService::StubInterface;

/// One call to WebhookEndpointService on the channel-connector channel. A limit refusal
/// (FAILED_PRECONDITION "webhook_limit: …") becomes 409 `webhook_limit`; the rest as
/// api_error_from_grpc.
template <typename Request, typename Response>
void call(const Upstreams& upstreams,
          grpc::Status (WebhookRpc::*method)(grpc::ClientContext*, const Request&, Response*),
          const Request& request, Response& response) {
  auto stub = chat::v1::WebhookEndpointService::NewStub(upstreams.chat_channel);
  WebhookRpc& rpc = *stub;
  auto status = upstreams.call(rpc, method, request, response);
  refuse_if_tagged(status, grpc::StatusCode::FAILED_PRECONDITION, "webhook_limit", 409, "webhook_limit");
  check(status);
}

json::object endpoint_json(const chat::v1::WebhookEndpoint& e) {
  json::array events;
  for (const auto& name : e.events()) events.emplace_back(name);
  return {{"id", e.id()},
          {"url", e.url()},
          {"events", std::move(events)},
          {"enabled", e.enabled()},
          {"created_at", rpc::rfc3339(e.created_at())},
          {"updated_at", rpc::rfc3339(e.updated_at())}};
}

json::object delivery_json(const chat::v1::WebhookDelivery& d) {
  json::object out{{"id", d.id()},
                   {"event", d.event()},
                   {"status", d.status()},
                   {"attempts", d.attempts()},
                   {"last_status_code", d.last_status_code()},
                   {"last_error", d.last_error()},
                   {"created_at", rpc::rfc3339(d.created_at())}};
  if (d.has_next_attempt_at()) out["next_attempt_at"] = rpc::rfc3339(d.next_attempt_at());
  if (d.has_delivered_at()) out["delivered_at"] = rpc::rfc3339(d.delivered_at());
  return out;
}

/// The string member `key`: nullopt when absent (and not `required`); 400 when not a string.
std::optional<std::string> string_field(const json::object& body, const char* key, bool required) {
  auto* value = body.if_contains(key);
  if (value == nullptr) {
    if (required) throw ApiError(400, "validation_failed", std::string(key) + " is required");
    return std::nullopt;
  }
  if (!value->is_string()) {
    throw ApiError(400, "validation_failed", std::string(key) + " must be a string");
  }
  return std::string(value->as_string());
}

/// The `events` member: nullopt when absent (and not `required`); 400 unless an array of at
/// most 16 strings (the names are checked by channel-connector).
std::optional<std::vector<std::string>> events_field(const json::object& body, bool required) {
  auto* value = body.if_contains("events");
  if (value == nullptr) {
    if (required) throw ApiError(400, "validation_failed", "events is required");
    return std::nullopt;
  }
  if (!value->is_array() || value->as_array().size() > 16) {
    throw ApiError(400, "validation_failed", "events must be an array of event names");
  }
  std::vector<std::string> out;
  for (const auto& item : value->as_array()) {
    if (!item.is_string()) throw ApiError(400, "validation_failed", "events must be an array of event names");
    out.emplace_back(item.as_string());
  }
  return out;
}

}  // namespace

HttpResponse webhook_endpoints_rest(const Upstreams& upstreams, const jwt::Claims& claims,
                                    Endpoint endpoint, const std::vector<std::string>& params,
                                    const HttpRequest& request) {
  if (claims.kind != jwt::TokenKind::kUser) {
    throw ApiError(403, "forbidden", "this endpoint needs a user token");
  }
  switch (endpoint) {
    case Endpoint::kListWebhookEndpoints: {
      chat::v1::ListWebhookEndpointsRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      chat::v1::ListWebhookEndpointsResponse response;
      call(upstreams, &WebhookRpc::ListWebhookEndpoints, rpc_request, response);
      json::array items;
      for (const auto& e : response.endpoints()) items.push_back(endpoint_json(e));
      return json_response(200, json::object{{"webhook_endpoints", std::move(items)},
                                             {"max", response.max()}});
    }
    case Endpoint::kCreateWebhookEndpoint: {
      auto body = parse_json_object(request.body);
      chat::v1::CreateWebhookEndpointRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_url(*string_field(body, "url", true));
      auto events = events_field(body, true);  // a named optional: it outlives the loop
      for (auto& e : *events) rpc_request.add_events(std::move(e));
      chat::v1::CreateWebhookEndpointResponse response;
      call(upstreams, &WebhookRpc::CreateWebhookEndpoint, rpc_request, response);
      auto out = endpoint_json(response.endpoint());
      out["secret"] = response.secret();
      return json_response(201, out);
    }
    case Endpoint::kUpdateWebhookEndpoint: {
      auto body = parse_json_object(request.body);
      chat::v1::UpdateWebhookEndpointRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_id(params.at(0));
      auto url = string_field(body, "url", false);
      auto events = events_field(body, false);
      std::optional<bool> enabled;
      if (auto* value = body.if_contains("enabled")) {
        if (!value->is_bool()) throw ApiError(400, "validation_failed", "enabled must be true or false");
        enabled = value->as_bool();
      }
      if (!url && !events && !enabled) {
        throw ApiError(400, "validation_failed", "give url, events or enabled");
      }
      if (url) rpc_request.set_url(*url);
      if (events) {
        rpc_request.set_set_events(true);
        for (auto& e : *events) rpc_request.add_events(std::move(e));
      }
      if (enabled) rpc_request.set_enabled(*enabled);
      chat::v1::WebhookEndpoint response;
      call(upstreams, &WebhookRpc::UpdateWebhookEndpoint, rpc_request, response);
      return json_response(200, endpoint_json(response));
    }
    case Endpoint::kListWebhookDeliveries: {
      chat::v1::ListWebhookDeliveriesRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_id(params.at(0));
      rpc_request.set_limit(static_cast<int>(query_int(request, "limit", 20, 1, 100)));
      chat::v1::ListWebhookDeliveriesResponse response;
      call(upstreams, &WebhookRpc::ListWebhookDeliveries, rpc_request, response);
      json::array items;
      for (const auto& d : response.deliveries()) items.push_back(delivery_json(d));
      return json_response(200, json::object{{"deliveries", std::move(items)}});
    }
    case Endpoint::kTestWebhookEndpoint: {
      chat::v1::SendWebhookTestRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_id(params.at(0));
      chat::v1::SendWebhookTestResponse response;
      call(upstreams, &WebhookRpc::SendWebhookTest, rpc_request, response);
      return json_response(202, json::object{{"delivery_id", response.delivery_id()}});
    }
    case Endpoint::kRotateWebhookSecret: {
      chat::v1::RotateWebhookSecretRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_id(params.at(0));
      chat::v1::RotateWebhookSecretResponse response;
      call(upstreams, &WebhookRpc::RotateWebhookSecret, rpc_request, response);
      return json_response(200, json::object{{"secret", response.secret()}});
    }
    default: {
      chat::v1::DeleteWebhookEndpointRequest rpc_request;
      rpc_request.set_tenant_id(claims.tenant_id);
      rpc_request.set_id(params.at(0));
      chat::v1::DeleteWebhookEndpointResponse response;
      call(upstreams, &WebhookRpc::DeleteWebhookEndpoint, rpc_request, response);
      HttpResponse no_content;
      no_content.status = 204;
      no_content.content_type.clear();
      return no_content;
    }
  }
}

}  // namespace botfactory::gateway
