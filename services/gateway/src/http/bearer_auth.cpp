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

}  // namespace botfactory::gateway
