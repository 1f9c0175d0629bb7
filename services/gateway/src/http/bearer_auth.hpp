#pragma once
// The bearer token of a REST request (RFC 6750 section 2.1), verified locally: one place for the
// 401 the REST handlers give and the one the server gives from the request head.

#include <string_view>

#include "botfactory/jwt/tokens.hpp"
#include "http/router.hpp"

namespace botfactory::gateway {

/// The claims of the valid access token in `authorization` (the Authorization header value,
/// "Bearer <token>", scheme case-insensitive), checked locally: signature, algorithm, issuer,
/// expiry, kind (jwt::TokenVerifier). Throws ApiError 401 `unauthorized` "missing bearer
/// token" when there is none, "invalid or expired token" when it does not verify (docs/api.md
/// "Errors"). Revocation is not checked here (require_not_revoked(), http/token_revocation.hpp).
jwt::Claims verified_bearer(const jwt::TokenVerifier& verifier, std::string_view authorization);

/// harden: for an endpoint that serves user tokens only (requires_user_token(),
/// http/router.hpp), throws the 403 `forbidden` its handler gives a visitor token: "end-to-end
/// encryption is for users only" on the e2ee endpoints (rest/e2ee_rest.cpp), "this endpoint
/// needs a user token" on every other (RestApi::require_user, route_roles, team, unanswered).
/// Does nothing for a user token or another endpoint. The server calls it from the request head
/// (docs/security.md "Refused before the body").
void require_user_token(Endpoint endpoint, const jwt::Claims& claims);

}  // namespace botfactory::gateway
