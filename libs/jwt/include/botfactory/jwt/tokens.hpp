#pragma once
// Access tokens: HS256 JSON Web Tokens (RFC 7519, signed per RFC 7515 with HMAC-SHA256).
// auth signs them; the gateway verifies them locally with the same secret (no RPC per request).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace botfactory::jwt {

/// Who a token speaks for.
enum class TokenKind {
  kUser,     // a tenant's member using the dashboard or the operator live view
  kVisitor,  // an end user of the web widget, scoped to one bot and one conversation
};

/// The claims BotFactory puts in an access token. For kUser: subject = user id, tenant_id set,
/// bot_id/conversation_id empty. For kVisitor: subject = visitor id, name = visitor name,
/// tenant_id, bot_id and conversation_id set.
struct Claims {
  TokenKind kind = TokenKind::kUser;
  std::string subject;
  std::string tenant_id;
  std::string bot_id;
  std::string conversation_id;
  std::string name;
  /// Visitor tokens of a bot with allowed origins: the canonical web origin the widget session
  /// was opened from ("origin" claim); the gateway requires the same Origin header on a
  /// WebSocket upgrade with this token. Empty = no claim.
  std::string origin;
  /// User tokens: the member's team role ("owner" | "admin" | "operator", claim "role"). Tokens
  /// signed before team accounts carry none: an empty role reads as "owner" (every user then
  /// owned its tenant).
  std::string role;
  std::int64_t expires_at = 0;  // Unix seconds ("exp")
  /// When the token was signed, Unix ms: claim "iat_ms" (set by TokenSigner), else "iat" × 1000
  /// for tokens signed without it; 0 when neither is there. The gateway compares it with a
  /// user's revocation time (docs/security.md "Revoked access tokens"), which needs ms: "iat"
  /// has whole seconds only.
  std::int64_t issued_at_ms = 0;
};

/// Signs claims. `secret` is the shared HMAC key (>= 32 bytes recommended), `issuer` the "iss".
class TokenSigner {
 public:
  TokenSigner(std::string secret, std::string issuer);
  /// A compact JWS valid for `ttl` from `now`; sets iat, iat_ms, exp, iss and the claims above
  /// (claims.issued_at_ms is ignored: `now` decides).
  std::string sign(const Claims& claims, std::chrono::seconds ttl,
                   std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

 private:
  std::string secret_;
  std::string issuer_;
};

/// Verifies signature, algorithm (HS256 only), issuer and expiry.
class TokenVerifier {
 public:
  TokenVerifier(std::string secret, std::string issuer);
  /// The claims, or std::nullopt when the token is malformed, forged, of another issuer or
  /// expired at `now`. Never throws.
  std::optional<Claims> verify(const std::string& token,
                               std::chrono::system_clock::time_point now =
                                   std::chrono::system_clock::now()) const;

 private:
  std::string secret_;
  std::string issuer_;
};

}  // namespace botfactory::jwt
