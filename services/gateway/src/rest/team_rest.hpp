#pragma once
// Team accounts over REST (docs/api.md "Team accounts"): invites, members, roles, and
// registration with an invite token. Every call goes to auth's team RPCs, which check the
// caller's current role; the gateway's route → minimum role table is http/route_roles.cpp.

#include <optional>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>

#include "botfactory/jwt/tokens.hpp"
#include "http/api_error.hpp"
#include "http/http_message.hpp"
#include "http/router.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// Serves one team endpoint (Endpoint::kCreateTeamInvite … kRevokeTeamInvite) for a user token:
/// POST /team/invites {"role","ttl_seconds"?} → 201 {invite_id, token, role, expires_at};
/// GET /team/members → 200 {members, invites, seats:{used, limit|null}};
/// DELETE /team/members/{user_id} → 204; PATCH /team/members/{user_id} {"role"} → 200 member;
/// DELETE /team/invites/{id} → 204. Throws ApiError (403 for a visitor token).
HttpResponse team_rest(const Upstreams& upstreams, const jwt::Claims& claims, Endpoint endpoint,
                       const std::vector<std::string>& params, const HttpRequest& request);

/// POST /api/v1/users with "invite_token": resolves the invite's tenant, reads its plan's seat
/// allowance (subscription GetSubscription; 503 when it is down) and registers the user into
/// that tenant (auth Register with invite_token + seat_limit). 201 with the user (role
/// included); errors as team_api_error() plus the usual registration ones.
HttpResponse register_with_invite(const Upstreams& upstreams, const std::string& email,
                                  const std::string& username, const std::string& password,
                                  const std::string& invite_token);

/// The HTTP error for auth's team status words (services/auth/src/team_service.hpp):
/// "team_role: m" → 403 forbidden m; "invite_invalid: m" → 404 invite_invalid;
/// "invite_used" / "invite_revoked" / "invite_expired" / "seat_limit" / "too_many_invites" →
/// 409 with that code. Nothing for other statuses.
std::optional<ApiError> team_api_error(const grpc::Status& status);

}  // namespace botfactory::gateway
