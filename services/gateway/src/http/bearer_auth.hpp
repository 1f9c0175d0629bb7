#pragma once
// The bearer token of a REST request (RFC 6750 section 2.1), verified locally: one place for the
// 401 the REST handlers give and the one the server gives from the request head.

#include <string_view>

#include "botfactory/jwt/tokens.hpp"

namespace botfactory::gateway {

/// The claims of the valid access token in `authorization` (the Authorization header value,
/// "Bearer <token>", scheme case-insensitive), checked locally: signature, algorithm, issuer,
/// expiry, kind (jwt::TokenVerifier). Throws ApiError 401 `unauthorized` "missing bearer
/// token" when there is none, "invalid or expired token" when it does not verify (docs/api.md
/// "Errors"). Revocation is not checked here (require_not_revoked(), http/token_revocation.hpp).
jwt::Claims verified_bearer(const jwt::TokenVerifier& verifier, std::string_view authorization);

}  // namespace botfactory::gateway
