#include "botfactory/jwt/tokens.hpp"

#include <jwt/jwt.hpp>

namespace botfactory::jwt {
namespace {

const char* kind_name(TokenKind kind) { return kind == TokenKind::kVisitor ? "visitor" : "user"; }

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

TokenSigner::TokenSigner(std::string secret, std::string issuer)
    : secret_(std::move(secret)), issuer_(std::move(issuer)) {}

std::string TokenSigner::sign(const Claims& claims, std::chrono::seconds ttl,
                              std::chrono::system_clock::time_point now) const {
  using namespace ::jwt::params;
  ::jwt::jwt_object object{algorithm("HS256"), secret(secret_)};
  auto& payload = object.payload();
  payload.add_claim("iss", issuer_);
  payload.add_claim("sub", claims.subject);
  payload.add_claim("iat", unix_seconds(now));
  payload.add_claim("iat_ms", unix_ms(now));  // revocation checks (Claims::issued_at_ms)
  payload.add_claim("exp", unix_seconds(now + ttl));
  payload.add_claim("kind", kind_name(claims.kind));
  payload.add_claim("tid", claims.tenant_id);
  if (!claims.bot_id.empty()) payload.add_claim("bot", claims.bot_id);
  if (!claims.conversation_id.empty()) payload.add_claim("cid", claims.conversation_id);
  if (!claims.name.empty()) payload.add_claim("name", claims.name);
  if (!claims.origin.empty()) payload.add_claim("origin", claims.origin);
  if (!claims.role.empty()) payload.add_claim("role", claims.role);
  return object.signature();
}

TokenVerifier::TokenVerifier(std::string secret, std::string issuer)
    : secret_(std::move(secret)), issuer_(std::move(issuer)) {}

std::optional<Claims> TokenVerifier::verify(const std::string& token,
                                            std::chrono::system_clock::time_point now) const {
  try {
    namespace jp = ::jwt::params;
    std::error_code ec;
    auto decoded =
        ::jwt::decode(token, jp::algorithms({"HS256"}), ec, jp::secret(secret_), jp::verify(true));
    if (ec) return std::nullopt;
    const auto& payload = decoded.payload();
    auto json = payload.create_json_obj();
    auto text = [&](const char* key) -> std::string {
      auto it = json.find(key);
      return (it != json.end() && it->is_string()) ? it->get<std::string>() : std::string();
    };
    if (text("iss") != issuer_) return std::nullopt;
    auto exp = json.find("exp");
    if (exp == json.end() || !exp->is_number_integer()) return std::nullopt;
    Claims claims;
    claims.expires_at = exp->get<std::int64_t>();
    if (auto ms = json.find("iat_ms"); ms != json.end() && ms->is_number_integer()) {
      claims.issued_at_ms = ms->get<std::int64_t>();
    } else if (auto iat = json.find("iat"); iat != json.end() && iat->is_number_integer()) {
      claims.issued_at_ms = iat->get<std::int64_t>() * 1000;
    }
    if (claims.expires_at <= unix_seconds(now)) return std::nullopt;
    std::string kind = text("kind");
    if (kind == "user") {
      claims.kind = TokenKind::kUser;
    } else if (kind == "visitor") {
      claims.kind = TokenKind::kVisitor;
    } else {
      return std::nullopt;
    }
    claims.subject = text("sub");
    claims.tenant_id = text("tid");
    claims.bot_id = text("bot");
    claims.conversation_id = text("cid");
    claims.name = text("name");
    claims.origin = text("origin");
    claims.role = text("role");
    if (claims.subject.empty() || claims.tenant_id.empty()) return std::nullopt;
    if (claims.kind == TokenKind::kVisitor && (claims.bot_id.empty() || claims.conversation_id.empty())) {
      return std::nullopt;
    }
    return claims;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace botfactory::jwt
