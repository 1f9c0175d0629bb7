#include <catch2/catch.hpp>

#include "botfactory/jwt/tokens.hpp"

using namespace botfactory::jwt;
using namespace std::chrono_literals;

TEST_CASE("a signed visitor token verifies with its claims") {
  TokenSigner signer("0123456789abcdef0123456789abcdef", "botfactory");
  TokenVerifier verifier("0123456789abcdef0123456789abcdef", "botfactory");
  Claims claims;
  claims.kind = TokenKind::kVisitor;
  claims.subject = "v-1";
  claims.tenant_id = "t-1";
  claims.bot_id = "b-1";
  claims.conversation_id = "c-1";
  claims.name = "Guest 4821";
  auto token = signer.sign(claims, 60s);
  auto verified = verifier.verify(token);
  REQUIRE(verified);
  CHECK(verified->kind == TokenKind::kVisitor);
  CHECK(verified->subject == "v-1");
  CHECK(verified->conversation_id == "c-1");
  CHECK(verified->name == "Guest 4821");
}

TEST_CASE("expired, forged and foreign tokens are rejected") {
  TokenSigner signer("0123456789abcdef0123456789abcdef", "botfactory");
  Claims claims;
  claims.subject = "u-1";
  claims.tenant_id = "t-1";
  auto now = std::chrono::system_clock::now();
  auto token = signer.sign(claims, 60s, now);
  TokenVerifier verifier("0123456789abcdef0123456789abcdef", "botfactory");
  CHECK(verifier.verify(token, now + 30s));
  CHECK_FALSE(verifier.verify(token, now + 61s));
  TokenVerifier other_key("ffffffffffffffffffffffffffffffff", "botfactory");
  CHECK_FALSE(other_key.verify(token, now));
  TokenVerifier other_issuer("0123456789abcdef0123456789abcdef", "someone-else");
  CHECK_FALSE(other_issuer.verify(token, now));
  CHECK_FALSE(verifier.verify("not.a.token", now));
  CHECK_FALSE(verifier.verify("", now));
  auto tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  CHECK_FALSE(verifier.verify(tampered, now));
}

TEST_CASE("a token carries its signing time in ms (iat_ms) for revocation checks") {
  TokenSigner signer("0123456789abcdef0123456789abcdef", "botfactory");
  TokenVerifier verifier("0123456789abcdef0123456789abcdef", "botfactory");
  Claims claims;
  claims.subject = "u-1";
  claims.tenant_id = "t-1";
  claims.issued_at_ms = 42;  // ignored: the signing time decides
  auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'900'000'000'123LL));
  auto verified = verifier.verify(signer.sign(claims, 60s, now), now + 1s);
  REQUIRE(verified);
  CHECK(verified->issued_at_ms == 1'900'000'000'123LL);
}
