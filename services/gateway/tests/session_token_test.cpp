// SessionToken without a socket: expiry on the steady clock and the in-band renewal rules.
#include <catch2/catch.hpp>

#include "ws/session_token.hpp"

using namespace botfactory;
using gateway::SessionToken;
using namespace std::chrono_literals;

namespace {

const auto kSystemNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
const auto kSteadyNow = std::chrono::steady_clock::time_point(std::chrono::hours(1000));

jwt::Claims visitor(std::int64_t expires_at) {
  jwt::Claims c;
  c.kind = jwt::TokenKind::kVisitor;
  c.subject = "v_1";
  c.tenant_id = "t1";
  c.bot_id = "b1";
  c.conversation_id = "c1";
  c.name = "Ann";
  c.expires_at = expires_at;
  return c;
}

jwt::Claims user_claims(std::int64_t expires_at) {
  jwt::Claims c;
  c.kind = jwt::TokenKind::kUser;
  c.subject = "u1";
  c.tenant_id = "t1";
  c.expires_at = expires_at;
  return c;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(kSystemNow.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("a socket's token expires at its exp, measured on the steady clock") {
  SessionToken token(visitor(unix_now() + 60), kSystemNow, kSteadyNow);
  CHECK_FALSE(token.expired(kSteadyNow));
  CHECK_FALSE(token.expired(kSteadyNow + 59s));
  CHECK(token.expired(kSteadyNow + 60s));
  CHECK(token.expires_at() == unix_now() + 60);
}

TEST_CASE("any exp is safe: past tokens are expired, far-future ones last at most a year") {
  SessionToken past(visitor(INT64_MIN), kSystemNow, kSteadyNow);
  CHECK(past.expired(kSteadyNow));
  SessionToken far(visitor(INT64_MAX), kSystemNow, kSteadyNow);
  CHECK_FALSE(far.expired(kSteadyNow + std::chrono::hours(24 * 364)));
  CHECK(far.expired(kSteadyNow + std::chrono::hours(24 * 366)));
}

TEST_CASE("renewal with a token for the same visitor moves the expiry") {
  SessionToken token(visitor(unix_now() + 60), kSystemNow, kSteadyNow);
  auto old_claims = token.claims();
  auto renewed = visitor(unix_now() + 3600);
  renewed.name = "Ann B.";
  REQUIRE_FALSE(token.renew(renewed, kSystemNow + 30s, kSteadyNow + 30s));
  CHECK_FALSE(token.expired(kSteadyNow + 61s));
  CHECK(token.expired(kSteadyNow + 3600s));
  CHECK(token.claims()->name == "Ann B.");
  CHECK(old_claims->name == "Ann");  // work in flight keeps the claims it started with
}

TEST_CASE("renewal for another holder is refused and the old expiry stays") {
  SessionToken token(visitor(unix_now() + 60), kSystemNow, kSteadyNow);
  auto other_conversation = visitor(unix_now() + 3600);
  other_conversation.conversation_id = "c2";
  auto other_bot = visitor(unix_now() + 3600);
  other_bot.bot_id = "b2";
  auto other_subject = visitor(unix_now() + 3600);
  other_subject.subject = "v_2";
  auto other_tenant = visitor(unix_now() + 3600);
  other_tenant.tenant_id = "t2";
  auto user = user_claims(unix_now() + 3600);
  user.subject = "v_1";
  for (const auto& claims : {other_conversation, other_bot, other_subject, other_tenant, user}) {
    auto error = token.renew(claims, kSystemNow, kSteadyNow);
    REQUIRE(error);
    CHECK(error->code == "forbidden");
  }
  CHECK(token.expired(kSteadyNow + 60s));
  CHECK(token.claims()->conversation_id == "c1");
}

TEST_CASE("a user token renews with another token of the same user and tenant") {
  SessionToken token(user_claims(unix_now() + 900), kSystemNow, kSteadyNow);
  REQUIRE_FALSE(token.renew(user_claims(unix_now() + 1800), kSystemNow + 800s, kSteadyNow + 800s));
  CHECK_FALSE(token.expired(kSteadyNow + 1000s));
  CHECK(token.expired(kSteadyNow + 1800s));
}
