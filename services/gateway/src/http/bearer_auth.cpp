#include "http/bearer_auth.hpp"

#include <string>

#include "http/api_error.hpp"
#include "http/http_message.hpp"

namespace botfactory::gateway {

jwt::Claims verified_bearer(const jwt::TokenVerifier& verifier, std::string_view authorization) {
  auto token = bearer_token(authorization);
  if (token.empty()) throw ApiError(401, "unauthorized", "missing bearer token");
  auto claims = verifier.verify(std::string(token));
  if (!claims) throw ApiError(401, "unauthorized", "invalid or expired token");
  return *claims;
}

void require_user_token(Endpoint endpoint, const jwt::Claims& claims) {
  if (claims.kind == jwt::TokenKind::kUser || !requires_user_token(endpoint)) return;
  switch (endpoint) {
    case Endpoint::kPutE2eeDevice: case Endpoint::kListE2eeDevices: case Endpoint::kGetRoomE2ee:
    case Endpoint::kPostRoomE2eeKeys:
      throw ApiError(403, "forbidden", "end-to-end encryption is for users only");
    default:
      throw ApiError(403, "forbidden", "this endpoint needs a user token");
  }
}

}  // namespace botfactory::gateway
