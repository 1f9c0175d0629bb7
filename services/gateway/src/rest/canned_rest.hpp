#pragma once
// Canned responses (saved replies) over REST (docs/api.md "Canned responses"): a tenant's short
// texts that operators insert into a reply with "/code" in the inbox. Kept in channel-connector
// (CannedResponseService, canned_responses.proto); the least team role of each route is in
// http/route_roles.cpp (listing: operator; create / edit / delete: admin).

#include <string>
#include <vector>

#include "botfactory/jwt/tokens.hpp"
#include "http/http_message.hpp"
#include "http/router.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// Serves Endpoint::kListCanned / kCreateCanned / kUpdateCanned / kDeleteCanned for a user token
/// of the tenant (403 `forbidden` for a visitor token). `params` holds the {id} of PATCH/DELETE.
///
/// GET /api/v1/canned-responses?q=<0..200 chars> → 200 {"canned_responses": [{"id",
///   "short_code", "content", "created_at", "updated_at"}], "total", "max"}
/// POST /api/v1/canned-responses {"short_code", "content"} → 201 the saved reply
/// PATCH /api/v1/canned-responses/{id} {"short_code"?, "content"?} → 200 the saved reply
/// DELETE /api/v1/canned-responses/{id} → 204
///
/// Errors (ApiError): 400 `validation_failed` (a field is missing, not a string or breaks a
/// rule), 404 `not_found` (no such id of the tenant), 409 `conflict` (the short code is taken),
/// 409 `canned_limit` (the tenant keeps CANNED_RESPONSES_MAX saved replies already).
HttpResponse canned_rest(const Upstreams& upstreams, const jwt::Claims& claims, Endpoint endpoint,
                         const std::vector<std::string>& params, const HttpRequest& request);

}  // namespace botfactory::gateway
