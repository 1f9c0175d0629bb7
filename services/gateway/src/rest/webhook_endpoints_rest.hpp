#pragma once
// Outgoing webhooks over REST (docs/api.md "Outgoing webhooks"): a tenant's HTTPS endpoints told
// about message.created, conversation.created and handoff.requested, with their delivery log.
// Kept in channel-connector (WebhookEndpointService, webhook_endpoints.proto); every route needs
// the admin (or owner) team role (http/route_roles.cpp): operators and visitors get 403.
// NOTE: webhooks/ of this service holds the INBOUND Telegram / WhatsApp webhooks.

#include <string>
#include <vector>

#include "botfactory/jwt/tokens.hpp"
#include "http/http_message.hpp"
#include "http/router.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// Serves the Endpoint::k*Webhook* routes for an admin's user token. `params` holds the {id}.
///
/// GET /api/v1/webhook-endpoints → 200 {"webhook_endpoints": [{"id", "url", "events",
///   "enabled", "created_at", "updated_at"}], "max"} — never a secret
/// POST /api/v1/webhook-endpoints {"url", "events": [..]} → 201 the endpoint + "secret"
///   ("whsec_…", shown only here and in rotate-secret)
/// PATCH /api/v1/webhook-endpoints/{id} {"url"?, "events"?, "enabled"?} → 200 the endpoint
/// DELETE /api/v1/webhook-endpoints/{id} → 204
/// GET /api/v1/webhook-endpoints/{id}/deliveries?limit=1..100 (20) → 200 {"deliveries": [{"id",
///   "event", "status", "attempts", "last_status_code", "last_error", "created_at",
///   "next_attempt_at"?, "delivered_at"?}]} newest first
/// POST /api/v1/webhook-endpoints/{id}/test → 202 {"delivery_id"}
/// POST /api/v1/webhook-endpoints/{id}/rotate-secret → 200 {"secret"}
///
/// Errors (ApiError): 400 `validation_failed`, 404 `not_found`, 409 `webhook_limit` (the tenant
/// keeps WEBHOOK_ENDPOINTS_MAX endpoints already), 403 `forbidden` (route_roles).
HttpResponse webhook_endpoints_rest(const Upstreams& upstreams, const jwt::Claims& claims,
                                    Endpoint endpoint, const std::vector<std::string>& params,
                                    const HttpRequest& request);

}  // namespace botfactory::gateway
