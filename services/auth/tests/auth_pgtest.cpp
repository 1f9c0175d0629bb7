// AuthService over real gRPC (port 0) and a fresh PostgreSQL database per test case.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <hiredis/hiredis.h>
#include <sodium.h>

#include "auth_grpc_service.hpp"
#include "auth_migrations.hpp"
#include "authenticator.hpp"
#include "token_revocation.hpp"
#include "botfactory/common/ids.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/jwt/tokens.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/redis/revocation_keys.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "validation.hpp"

using namespace botfactory;
namespace v1 = botfactory::auth::v1;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSecret = "test-secret-0123456789abcdef0123456789abcdef";
constexpr const char* kIssuer = "botfactory";
constexpr const char* kPassword = "correct horse battery";

std::shared_ptr<pg::Pool> migrated_pool(const std::string& conninfo) {
  auto pool = std::make_shared<pg::Pool>(conninfo, 4);
  auto conn = pool->acquire();
  pg::migrate(*conn, "auth", migrations::auth_migrations());
  return pool;
}

/// A migrated database, an Authenticator on a settable clock, and a real gRPC server + stub.
struct AuthFixture {
  explicit AuthFixture(auth::AuthSettings s = settings(),
                       std::shared_ptr<auth::TokenRevocations> r = nullptr)
      : config(std::move(s)), revocations(std::move(r)) {}

  testenv::TestDatabase db;
  std::shared_ptr<pg::Pool> pool = migrated_pool(db.conninfo());
  std::atomic<std::int64_t> now_us{auth::system_clock_micros()};
  /// Each clock reading advances now_us by this much (0: a still clock).
  std::atomic<std::int64_t> step_us{0};
  auth::AuthSettings config;
  std::shared_ptr<auth::TokenRevocations> revocations;
  std::shared_ptr<auth::Authenticator> authenticator = std::make_shared<auth::Authenticator>(
      pool, config, [this] { return now_us.fetch_add(step_us.load()); }, revocations);
  auth::AuthGrpcService service{authenticator};
  rpc::Server server{"127.0.0.1:0", {&service}};
  std::unique_ptr<v1::AuthService::Stub> stub =
      v1::AuthService::NewStub(rpc::make_channel("127.0.0.1:" + std::to_string(server.port())));
  jwt::TokenVerifier verifier{kSecret, kIssuer};

  static auth::AuthSettings settings() {
    auth::AuthSettings s;
    s.jwt_secret = kSecret;
    s.jwt_issuer = kIssuer;
    s.password_cost = auth::PasswordHashCost::min();
    return s;
  }

  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point(std::chrono::microseconds(now_us.load()));
  }

  template <typename Call>
  grpc::Status call(Call&& call) {
    grpc::ClientContext context;
    rpc::set_deadline(context, 5000ms);
    return call(context);
  }

  grpc::Status register_user(const std::string& email, const std::string& username,
                             const std::string& password, v1::User* user) {
    v1::RegisterRequest request;
    request.set_email(email);
    request.set_username(username);
    request.set_password(password);
    return call([&](grpc::ClientContext& c) { return stub->Register(&c, request, user); });
  }

  grpc::Status login(const std::string& email, const std::string& password, v1::TokenPair* pair) {
    v1::LoginRequest request;
    request.set_email(email);
    request.set_password(password);
    return call([&](grpc::ClientContext& c) { return stub->Login(&c, request, pair); });
  }

  grpc::Status refresh(const std::string& token, v1::TokenPair* pair) {
    v1::RefreshRequest request;
    request.set_refresh_token(token);
    return call([&](grpc::ClientContext& c) { return stub->Refresh(&c, request, pair); });
  }

  grpc::Status logout(const std::string& token) {
    v1::LogoutRequest request;
    request.set_refresh_token(token);
    v1::LogoutResponse response;
    return call([&](grpc::ClientContext& c) { return stub->Logout(&c, request, &response); });
  }

  v1::User registered(const std::string& email = "alice@example.com",
                      const std::string& username = "alice") {
    v1::User user;
    auto status = register_user(email, username, kPassword, &user);
    REQUIRE(status.error_message() == "");
    REQUIRE(status.ok());
    return user;
  }

  std::int64_t count(const std::string& sql) {
    auto conn = pool->acquire();
    return conn->exec(sql).int64(0, 0);
  }
};

}  // namespace

TEST_CASE("register, login and GetUser round-trip with a verifiable access token") {
  AuthFixture fx;
  auto user = fx.registered("Alice@Example.com", "alice");
  CHECK(common::is_uuid(user.id()));
  CHECK(common::is_uuid(user.tenant_id()));
  CHECK(user.id() != user.tenant_id());
  CHECK(user.email() == "alice@example.com");
  CHECK(user.username() == "alice");
  CHECK(user.created_at().seconds() > 0);
  CHECK(fx.count("SELECT count(*) FROM auth.users WHERE password_hash LIKE '$argon2id$%'") == 1);
  CHECK(fx.count("SELECT count(*) FROM auth.users WHERE password_hash LIKE '%correct horse%'") == 0);

  v1::TokenPair pair;
  REQUIRE(fx.login("  ALICE@example.COM", kPassword, &pair).ok());
  CHECK(pair.expires_in() == 900);
  CHECK(pair.user().id() == user.id());
  CHECK(pair.refresh_token().size() == 43);  // 32 bytes, unpadded base64url
  auto claims = fx.verifier.verify(pair.access_token(), fx.now());
  REQUIRE(claims);
  CHECK(claims->kind == jwt::TokenKind::kUser);
  CHECK(claims->subject == user.id());
  CHECK(claims->tenant_id == user.tenant_id());
  CHECK(claims->expires_at == std::chrono::duration_cast<std::chrono::seconds>(
                                  fx.now().time_since_epoch()).count() + 900);
  // Only the hash of the refresh token is stored.
  CHECK(fx.count("SELECT count(*) FROM auth.refresh_tokens WHERE token_hash = '" +
                 common::sha256_hex(pair.refresh_token()) + "'") == 1);
  CHECK(fx.count("SELECT count(*) FROM auth.refresh_tokens WHERE token_hash = '" +
                 pair.refresh_token() + "'") == 0);

  v1::GetUserRequest get;
  get.set_user_id(user.id());
  v1::User fetched;
  REQUIRE(fx.call([&](grpc::ClientContext& c) { return fx.stub->GetUser(&c, get, &fetched); }).ok());
  CHECK(fetched.email() == "alice@example.com");
  CHECK(fetched.tenant_id() == user.tenant_id());
  CHECK(fetched.created_at().seconds() == user.created_at().seconds());

  for (const char* id : {"123e4567-e89b-12d3-a456-426614174000", "not-a-uuid", ""}) {
    get.set_user_id(id);
    auto status = fx.call([&](grpc::ClientContext& c) { return fx.stub->GetUser(&c, get, &fetched); });
    CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  }
}

TEST_CASE("wrong password and unknown email fail identically") {
  AuthFixture fx;
  fx.registered();
  v1::TokenPair pair;
  auto wrong_password = fx.login("alice@example.com", "wrong password!", &pair);
  auto unknown_email = fx.login("nobody@example.com", kPassword, &pair);
  auto empty = fx.login("", "", &pair);
  CHECK(wrong_password.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(wrong_password.error_message() == "invalid email or password");
  CHECK(unknown_email.error_code() == wrong_password.error_code());
  CHECK(unknown_email.error_message() == wrong_password.error_message());
  CHECK(empty.error_code() == wrong_password.error_code());
  CHECK(empty.error_message() == wrong_password.error_message());
  CHECK(fx.count("SELECT count(*) FROM auth.refresh_tokens") == 0);
}

TEST_CASE("a taken email or username is ALREADY_EXISTS") {
  AuthFixture fx;
  fx.registered("alice@example.com", "alice");
  v1::User user;
  auto same_email = fx.register_user("ALICE@example.com", "alice2", kPassword, &user);
  CHECK(same_email.error_code() == grpc::StatusCode::ALREADY_EXISTS);
  CHECK(same_email.error_message() == "email or username already registered");
  auto same_username = fx.register_user("other@example.com", "alice", kPassword, &user);
  CHECK(same_username.error_code() == grpc::StatusCode::ALREADY_EXISTS);
  CHECK(same_username.error_message() == "email or username already registered");
  CHECK(fx.count("SELECT count(*) FROM auth.users") == 1);
}

TEST_CASE("bad registration input is INVALID_ARGUMENT and stores nothing") {
  AuthFixture fx;
  struct Case {
    std::string email, username, password;
  };
  std::vector<Case> cases = {
      {"not-an-email", "alice", kPassword},
      {"alice@localhost", "alice", kPassword},
      {"a@b@example.com", "alice", kPassword},
      {std::string(250, 'a') + "@example.com", "alice", kPassword},
      {"alice@example.com", "al", kPassword},
      {"alice@example.com", std::string(33, 'a'), kPassword},
      {"alice@example.com", "alice smith", kPassword},
      {"alice@example.com", "alice", "short"},
      {"alice@example.com", "alice", std::string(257, 'p')},
  };  // Invalid UTF-8 cannot cross gRPC in a proto3 string; validation_test covers it.
  for (const auto& c : cases) {
    v1::User user;
    auto status = fx.register_user(c.email, c.username, c.password, &user);
    INFO(c.email << " / " << c.username);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_FALSE(status.error_message().empty());
  }
  CHECK(fx.count("SELECT count(*) FROM auth.users") == 0);
}

TEST_CASE("refresh rotates the token; reusing a rotated one revokes the whole family") {
  AuthFixture fx;
  auto user = fx.registered();
  v1::TokenPair first, second, third, ignored;
  REQUIRE(fx.login("alice@example.com", kPassword, &first).ok());
  REQUIRE(fx.refresh(first.refresh_token(), &second).ok());
  CHECK(second.refresh_token() != first.refresh_token());
  CHECK(second.user().id() == user.id());
  auto claims = fx.verifier.verify(second.access_token(), fx.now());
  REQUIRE(claims);
  CHECK(claims->subject == user.id());
  CHECK(fx.count("SELECT count(*) FROM auth.refresh_tokens WHERE token_hash = '" +
                 common::sha256_hex(first.refresh_token()) + "' AND revoked_at IS NOT NULL AND replaced_by = '" +
                 common::sha256_hex(second.refresh_token()) + "'") == 1);

  REQUIRE(fx.refresh(second.refresh_token(), &third).ok());

  // A second session of the same user, to see that reuse detection revokes it too.
  v1::TokenPair other_session;
  REQUIRE(fx.login("alice@example.com", kPassword, &other_session).ok());

  auto reuse = fx.refresh(first.refresh_token(), &ignored);
  CHECK(reuse.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(fx.count("SELECT count(*) FROM auth.refresh_tokens WHERE revoked_at IS NULL") == 0);
  CHECK(fx.refresh(third.refresh_token(), &ignored).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(fx.refresh(other_session.refresh_token(), &ignored).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);

  CHECK(fx.refresh("no-such-token", &ignored).error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(fx.refresh("", &ignored).error_code() == grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("a refresh token expires after 30 days") {
  AuthFixture fx;
  fx.registered();
  v1::TokenPair pair, next;
  REQUIRE(fx.login("alice@example.com", kPassword, &pair).ok());
  fx.now_us += (30LL * 24 * 3600 - 1) * 1'000'000;
  REQUIRE(fx.refresh(pair.refresh_token(), &next).ok());
  fx.now_us += 30LL * 24 * 3600 * 1'000'000;
  CHECK(fx.refresh(next.refresh_token(), &pair).error_code() == grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("logout revokes a refresh token and is idempotent") {
  AuthFixture fx;
  fx.registered();
  v1::TokenPair pair, ignored;
  REQUIRE(fx.login("alice@example.com", kPassword, &pair).ok());
  CHECK(fx.logout(pair.refresh_token()).ok());
  CHECK(fx.logout(pair.refresh_token()).ok());
  CHECK(fx.logout("unknown").ok());
  CHECK(fx.logout("").ok());
  CHECK(fx.refresh(pair.refresh_token(), &ignored).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("visitor tokens carry tenant, bot, conversation and name") {
  AuthFixture fx;
  v1::IssueVisitorTokenRequest request;
  const std::string tenant = "11111111-2222-4333-8444-555555555555";
  const std::string bot = "66666666-7777-4888-9999-aaaaaaaaaaaa";
  request.set_tenant_id(tenant);
  request.set_bot_id(bot);
  request.set_conversation_id("c-1");
  request.set_visitor_id("v-1");
  request.set_visitor_name("Guest 4821");
  v1::IssueVisitorTokenResponse response;
  REQUIRE(fx.call([&](grpc::ClientContext& c) {
              return fx.stub->IssueVisitorToken(&c, request, &response);
            }).ok());
  CHECK(response.expires_in() == 86400);
  auto claims = fx.verifier.verify(response.token(), fx.now());
  REQUIRE(claims);
  CHECK(claims->kind == jwt::TokenKind::kVisitor);
  CHECK(claims->subject == "v-1");
  CHECK(claims->tenant_id == tenant);
  CHECK(claims->bot_id == bot);
  CHECK(claims->conversation_id == "c-1");
  CHECK(claims->name == "Guest 4821");
  CHECK_FALSE(fx.verifier.verify(response.token(), fx.now() + 86401s));

  request.clear_bot_id();
  auto status = fx.call([&](grpc::ClientContext& c) {
    return fx.stub->IssueVisitorToken(&c, request, &response);
  });
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("IssueVisitorToken requires a well-formed tenant and bot") {
  AuthFixture fx;
  const std::string uuid = "11111111-2222-4333-8444-555555555555";
  struct Case {
    std::string tenant, bot, message;
  };
  std::vector<Case> cases = {{"", uuid, "tenant_id is required"},
                             {"t-1", uuid, "tenant_id must be a UUID"},
                             {uuid + "' OR 1=1", uuid, "tenant_id must be a UUID"},
                             {uuid, "b-1", "bot_id must be a UUID"}};
  for (const auto& c : cases) {
    v1::IssueVisitorTokenRequest request;
    request.set_tenant_id(c.tenant);
    request.set_bot_id(c.bot);
    request.set_conversation_id("c-1");
    request.set_visitor_id("v-1");
    v1::IssueVisitorTokenResponse response;
    auto status = fx.call([&](grpc::ClientContext& ctx) {
      return fx.stub->IssueVisitorToken(&ctx, request, &response);
    });
    INFO(c.tenant << " / " << c.bot);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message() == c.message);
  }
}

TEST_CASE("concurrent logins never hash more at once than the cap allows") {
  auto s = AuthFixture::settings();
  s.password_cost = {3, 8U * 1024 * 1024};  // slow enough (8 MiB, 3 passes) for logins to overlap
  s.hash_slots = 2;
  s.hash_wait = std::chrono::milliseconds(60000);  // nobody is refused here: all must pass
  AuthFixture fx(s);
  fx.registered();
  constexpr int kThreads = 12;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      v1::TokenPair pair;
      // Known and unknown e-mails alike take a slot.
      auto status = t % 2 ? fx.login("alice@example.com", kPassword, &pair)
                          : fx.login("nobody" + std::to_string(t) + "@example.com", kPassword, &pair);
      (status.ok() || status.error_code() == grpc::StatusCode::UNAUTHENTICATED ? ok : failed)++;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok == kThreads);
  CHECK(failed == 0);
  CHECK(fx.authenticator->hash_slots().max_in_flight() <= 2);
  CHECK(fx.authenticator->hash_slots().max_in_flight() >= 1);
  CHECK(fx.authenticator->hash_slots().in_flight() == 0);
}

TEST_CASE("with every hashing slot taken, a login is UNAVAILABLE with a retry hint") {
  auto s = AuthFixture::settings();
  s.hash_slots = 1;
  s.hash_wait = std::chrono::milliseconds(50);
  AuthFixture fx(s);
  fx.registered();
  v1::TokenPair pair;
  {
    auto held = fx.authenticator->hash_slots().try_acquire();
    REQUIRE(held.has_value());
    for (const char* email : {"alice@example.com", "nobody@example.com"}) {
      auto status = fx.login(email, kPassword, &pair);
      INFO(email);
      CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
      CHECK(status.error_message() == "too many logins in progress, try again shortly");
      CHECK(rpc::retry_after_seconds(status) == 1);
    }
    v1::User user;
    CHECK(fx.register_user("bob@example.com", "bob", kPassword, &user).error_code() ==
          grpc::StatusCode::UNAVAILABLE);
  }
  CHECK(fx.login("alice@example.com", kPassword, &pair).ok());
  CHECK_THAT(metrics::Registry::global().render(),
             Catch::Contains("auth_password_hash_busy_total"));
}

TEST_CASE("failed logins are throttled per account with growing back-off, known or not") {
  AuthFixture fx;
  fx.registered();
  v1::TokenPair pair;
  for (const std::string email : {"alice@example.com", "nobody@example.com"}) {
    INFO(email);
    for (int i = 0; i < 5; ++i) {
      CHECK(fx.login(email, "wrong password!", &pair).error_code() ==
            grpc::StatusCode::UNAUTHENTICATED);
    }
    // Blocked for 1 s: even the right password is refused, and so is any spelling of the e-mail.
    auto blocked = fx.login(email, kPassword, &pair);
    CHECK(blocked.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(blocked.error_message() == "too many failed logins, try again later");
    CHECK(rpc::retry_after_seconds(blocked) == 1);
    CHECK(fx.login("  " + email, kPassword, &pair).error_code() ==
          grpc::StatusCode::RESOURCE_EXHAUSTED);
    fx.now_us += 1'000'000;
    CHECK(fx.login(email, "wrong password!", &pair).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
    CHECK(rpc::retry_after_seconds(fx.login(email, kPassword, &pair)) == 2);
    fx.now_us += 2'000'000;
  }
  // Another account is not affected.
  fx.registered("carol@example.com", "carol");
  CHECK(fx.login("carol@example.com", kPassword, &pair).ok());
  // Once allowed, the right password works and clears the count.
  REQUIRE(fx.login("alice@example.com", kPassword, &pair).ok());
  CHECK(fx.count("SELECT count(*) FROM auth.login_failures WHERE email_hash = '" +
                 common::sha256_hex("alice@example.com") + "'") == 0);
  CHECK(fx.count("SELECT count(*) FROM auth.login_failures WHERE email_hash = '" +
                 common::sha256_hex("nobody@example.com") + "'") == 1);
  // The e-mail itself is never stored.
  CHECK(fx.count("SELECT count(*) FROM auth.login_failures WHERE email_hash LIKE '%@%'") == 0);
}

TEST_CASE("an expired throttle row is forgotten and pruned") {
  AuthFixture fx;
  v1::TokenPair pair;
  for (int i = 0; i < 5; ++i) fx.login("ghost@example.com", "wrong password!", &pair);
  CHECK(fx.count("SELECT count(*) FROM auth.login_failures") == 1);
  fx.now_us += 3600LL * 1'000'000;  // past block + window
  CHECK(fx.login("other@example.com", "wrong password!", &pair).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(fx.count("SELECT count(*) FROM auth.login_failures") == 1);  // ghost pruned
  CHECK(fx.login("ghost@example.com", "wrong password!", &pair).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("a hash made with older parameters verifies and is upgraded on login") {
  AuthFixture fx;
  auto user = fx.registered();
  auth::PasswordHasher legacy({3, crypto_pwhash_MEMLIMIT_MIN});
  {
    auto conn = fx.pool->acquire();
    conn->exec("UPDATE auth.users SET password_hash = $1", {legacy.hash(kPassword)});
  }
  CHECK(fx.count("SELECT count(*) FROM auth.users WHERE password_hash LIKE '%,t=3,%'") == 1);
  v1::TokenPair pair;
  REQUIRE(fx.login("alice@example.com", kPassword, &pair).ok());
  CHECK(fx.count("SELECT count(*) FROM auth.users WHERE password_hash LIKE '%,t=3,%'") == 0);
  CHECK(fx.count("SELECT count(*) FROM auth.users WHERE password_hash LIKE '$argon2id$v=19$m=8,t=1,p=1$%'") == 1);
  REQUIRE(fx.login("alice@example.com", kPassword, &pair).ok());  // the new hash verifies
}

TEST_CASE("every RPC is counted by method and status code") {
  AuthFixture fx;
  v1::TokenPair pair;
  fx.login("nobody@example.com", kPassword, &pair);
  auto text = metrics::Registry::global().render();
  CHECK_THAT(text, Catch::Contains("grpc_server_handled_total{grpc_service=\"botfactory.auth.v1.AuthService\","
                                   "grpc_method=\"Login\",grpc_code=\"UNAUTHENTICATED\"}"));
  CHECK_THAT(text, Catch::Contains("grpc_server_handling_seconds_count{grpc_service=\"botfactory.auth.v1.AuthService\","
                                   "grpc_method=\"Login\"}"));
}

TEST_CASE("a visitor token carries the widget's origin claim when one is given") {
  AuthFixture fx;
  v1::IssueVisitorTokenRequest request;
  request.set_tenant_id("11111111-2222-4333-8444-555555555555");
  request.set_bot_id("66666666-7777-4888-9999-aaaaaaaaaaaa");
  request.set_conversation_id("c-1");
  request.set_visitor_id("v-1");
  request.set_origin("https://shop.example");
  v1::IssueVisitorTokenResponse response;
  REQUIRE(fx.call([&](grpc::ClientContext& c) {
              return fx.stub->IssueVisitorToken(&c, request, &response);
            }).ok());
  auto claims = fx.verifier.verify(response.token(), fx.now());
  REQUIRE(claims);
  CHECK(claims->origin == "https://shop.example");
  // Not canonical (upper case, default port, path): refused, no token.
  for (const char* bad : {"HTTPS://shop.example", "https://shop.example:443", "https://shop.example/x",
                          "null"}) {
    request.set_origin(bad);
    auto status = fx.call([&](grpc::ClientContext& c) {
      return fx.stub->IssueVisitorToken(&c, request, &response);
    });
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
}

// --- team accounts (team_service.hpp) -------------------------------------------------------

namespace {

/// Team RPC helpers on top of AuthFixture.
struct TeamFixture : AuthFixture {
  using AuthFixture::AuthFixture;
  grpc::Status invite(const std::string& tenant, const std::string& actor, const std::string& role,
                      v1::CreatedTeamInvite* out, std::int64_t ttl_s = 0) {
    v1::CreateTeamInviteRequest r;
    r.set_tenant_id(tenant);
    r.set_actor_user_id(actor);
    r.set_role(role);
    r.set_ttl_seconds(ttl_s);
    return call([&](grpc::ClientContext& c) { return stub->CreateTeamInvite(&c, r, out); });
  }
  v1::CreatedTeamInvite invited(const v1::User& actor, const std::string& role = "operator") {
    v1::CreatedTeamInvite out;
    auto status = invite(actor.tenant_id(), actor.id(), role, &out);
    REQUIRE(status.error_message() == "");
    return out;
  }
  grpc::Status join(const std::string& token, const std::string& name, v1::User* user,
                    std::int32_t seats = 0) {
    v1::RegisterRequest r;
    r.set_email(name + "@example.com");
    r.set_username(name);
    r.set_password(kPassword);
    r.set_invite_token(token);
    r.set_seat_limit(seats);
    return call([&](grpc::ClientContext& c) { return stub->Register(&c, r, user); });
  }
  v1::User joined(const std::string& token, const std::string& name) {
    v1::User user;
    auto status = join(token, name, &user);
    REQUIRE(status.error_message() == "");
    return user;
  }
  grpc::Status remove(const v1::User& actor, const std::string& user_id) {
    v1::RemoveTeamMemberRequest r;
    r.set_tenant_id(actor.tenant_id());
    r.set_actor_user_id(actor.id());
    r.set_user_id(user_id);
    v1::RemoveTeamMemberResponse out;
    return call([&](grpc::ClientContext& c) { return stub->RemoveTeamMember(&c, r, &out); });
  }
  grpc::Status set_role(const v1::User& actor, const std::string& user_id, const std::string& role) {
    v1::SetTeamMemberRoleRequest r;
    r.set_tenant_id(actor.tenant_id());
    r.set_actor_user_id(actor.id());
    r.set_user_id(user_id);
    r.set_role(role);
    v1::TeamMember out;
    return call([&](grpc::ClientContext& c) { return stub->SetTeamMemberRole(&c, r, &out); });
  }
  grpc::Status list(const std::string& tenant, const std::string& actor, v1::ListTeamMembersResponse* out) {
    v1::ListTeamMembersRequest r;
    r.set_tenant_id(tenant);
    r.set_actor_user_id(actor);
    return call([&](grpc::ClientContext& c) { return stub->ListTeamMembers(&c, r, out); });
  }
};

}  // namespace

TEST_CASE("team: an invite joins a new user to the tenant once, with the invite's role in the token") {
  TeamFixture fx;
  auto owner = fx.registered();
  CHECK(owner.role() == "owner");
  auto created = fx.invited(owner, "operator");
  CHECK(created.token().size() == 43);
  CHECK(created.invite().role() == "operator");
  CHECK(created.invite().expires_at().seconds() - fx.now_us.load() / 1'000'000 ==
        Approx(7 * 24 * 3600).margin(2));
  // Only the hash is stored.
  CHECK(fx.count("SELECT count(*) FROM auth.team_invites WHERE token_hash = '" +
                 common::sha256_hex(created.token()) + "'") == 1);
  CHECK(fx.count("SELECT count(*) FROM auth.team_invites WHERE token_hash = '" + created.token() + "'") == 0);

  auto op = fx.joined(created.token(), "olga");
  CHECK(op.tenant_id() == owner.tenant_id());
  CHECK(op.role() == "operator");
  v1::TokenPair pair;
  REQUIRE(fx.login("olga@example.com", kPassword, &pair).ok());
  auto claims = fx.verifier.verify(pair.access_token(), fx.now());
  REQUIRE(claims);
  CHECK(claims->tenant_id == owner.tenant_id());
  CHECK(claims->role == "operator");

  v1::User again;
  auto status = fx.join(created.token(), "oscar", &again);
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(status.error_message(), Catch::StartsWith("invite_used: "));
  CHECK(fx.count("SELECT count(*) FROM auth.users WHERE username = 'oscar'") == 0);

  v1::ListTeamMembersResponse team;
  REQUIRE(fx.list(owner.tenant_id(), op.id(), &team).ok());  // any member may list
  REQUIRE(team.members_size() == 2);
  CHECK(team.members(0).role() == "owner");
  CHECK(team.members(1).user_id() == op.id());
  // Another tenant's user is not a member of this team.
  auto stranger = fx.registered("eve@example.com", "eve");
  CHECK(fx.list(owner.tenant_id(), stranger.id(), &team).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  v1::CreatedTeamInvite out;
  CHECK(fx.invite(owner.tenant_id(), stranger.id(), "operator", &out).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  // An operator may not invite.
  status = fx.invite(owner.tenant_id(), op.id(), "operator", &out);
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(status.error_message(), Catch::StartsWith("team_role: "));
  // Only admin or operator invites.
  CHECK(fx.invite(owner.tenant_id(), owner.id(), "owner", &out).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("team: expired, revoked and unknown invites are refused with their own error") {
  TeamFixture fx;
  auto owner = fx.registered();
  v1::CreatedTeamInvite short_lived;
  REQUIRE(fx.invite(owner.tenant_id(), owner.id(), "admin", &short_lived, 60).ok());
  fx.now_us += 61'000'000;
  v1::User user;
  auto status = fx.join(short_lived.token(), "late", &user);
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(status.error_message(), Catch::StartsWith("invite_expired: "));

  auto revoked = fx.invited(owner);
  v1::RevokeTeamInviteRequest r;
  r.set_tenant_id(owner.tenant_id());
  r.set_actor_user_id(owner.id());
  r.set_invite_id(revoked.invite().id());
  v1::RevokeTeamInviteResponse none;
  REQUIRE(fx.call([&](grpc::ClientContext& c) { return fx.stub->RevokeTeamInvite(&c, r, &none); }).ok());
  status = fx.join(revoked.token(), "rita", &user);
  CHECK_THAT(status.error_message(), Catch::StartsWith("invite_revoked: "));
  // Revoking again: nothing live by that id.
  CHECK(fx.call([&](grpc::ClientContext& c) { return fx.stub->RevokeTeamInvite(&c, r, &none); }).error_code() ==
        grpc::StatusCode::NOT_FOUND);

  status = fx.join("not-a-real-token", "nina", &user);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK_THAT(status.error_message(), Catch::StartsWith("invite_invalid: "));
  status = fx.join(std::string(500, 'x'), "nina", &user);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(fx.count("SELECT count(*) FROM auth.users") == 1);
}

TEST_CASE("team: joining beyond the plan's seats is refused and stores nothing") {
  TeamFixture fx;
  auto owner = fx.registered();
  auto first = fx.invited(owner);
  auto second = fx.invited(owner);
  v1::User member;
  REQUIRE(fx.join(first.token(), "one", &member, 2).ok());
  v1::User user;
  auto status = fx.join(second.token(), "two", &user, 2);
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(status.error_message(), Catch::StartsWith("seat_limit: "));
  CHECK(fx.count("SELECT count(*) FROM auth.users WHERE tenant_id = '" + owner.tenant_id() + "'") == 2);
  CHECK(fx.count("SELECT count(*) FROM auth.team_invites WHERE used_at IS NULL") == 1);  // still usable
  // A removed member frees its seat.
  REQUIRE(fx.remove(owner, member.id()).ok());
  REQUIRE(fx.join(second.token(), "two", &user, 2).ok());
}

TEST_CASE("team: removal revokes the member's refresh tokens; nobody removes the owner") {
  TeamFixture fx;
  auto owner = fx.registered();
  auto admin = fx.joined(fx.invited(owner, "admin").token(), "adam");
  auto op = fx.joined(fx.invited(admin, "operator").token(), "olga");
  auto other_admin = fx.joined(fx.invited(owner, "admin").token(), "anna");
  v1::TokenPair pair;
  REQUIRE(fx.login("olga@example.com", kPassword, &pair).ok());
  auto pending = fx.invited(owner);  // created by the owner: survives
  v1::CreatedTeamInvite by_admin = fx.invited(admin);

  // Nobody removes the owner; an admin removes operators only; an operator removes nobody.
  auto status = fx.remove(admin, owner.id());
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(fx.remove(owner, owner.id()).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(fx.remove(admin, other_admin.id()).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(fx.remove(op, admin.id()).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  // Only the owner sets roles, never its own.
  CHECK(fx.set_role(admin, op.id(), "admin").error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(fx.set_role(owner, owner.id(), "operator").error_code() == grpc::StatusCode::PERMISSION_DENIED);
  REQUIRE(fx.set_role(owner, other_admin.id(), "operator").ok());
  REQUIRE(fx.remove(admin, other_admin.id()).ok());  // now an operator

  REQUIRE(fx.remove(admin, op.id()).ok());
  v1::TokenPair next;
  CHECK(fx.refresh(pair.refresh_token(), &next).error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(fx.login("olga@example.com", kPassword, &next).error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(fx.remove(owner, op.id()).error_code() == grpc::StatusCode::NOT_FOUND);  // already gone

  // Removing the admin kills the invites it created.
  REQUIRE(fx.remove(owner, admin.id()).ok());
  v1::User user;
  CHECK_THAT(fx.join(by_admin.token(), "late", &user).error_message(), Catch::StartsWith("invite_revoked: "));
  CHECK(fx.join(pending.token(), "paul", &user).ok());
  v1::ListTeamMembersResponse team;
  REQUIRE(fx.list(owner.tenant_id(), owner.id(), &team).ok());
  CHECK(team.members_size() == 2);  // owner + paul
}

// --- access-token revocation (token_revocation.hpp, docs/security.md "Revoked access tokens") ---

namespace {

std::string unique_prefix() { return "authrev_" + common::random_token(6) + ":"; }

std::shared_ptr<auth::TokenRevocations> redis_revocations(const std::string& prefix, int port) {
  return std::make_shared<auth::RedisTokenRevocations>(
      std::make_unique<redis::BlockingClient>(testenv::redis_host(), port, 500ms), prefix,
      std::chrono::seconds(900));
}

/// GET of `key` on the test Redis as a number; -1 when absent.
std::int64_t redis_number(redis::BlockingClient& client, const std::string& key) {
  auto reply = client.command({"GET", key});
  REQUIRE(reply);
  if (reply->type != REDIS_REPLY_STRING) return -1;
  return std::stoll(std::string(reply->str, reply->len));
}

}  // namespace

TEST_CASE("team: removal, role changes and refresh-token reuse record the user's revocation time in Redis") {
  auto prefix = unique_prefix();
  TeamFixture fx(AuthFixture::settings(), redis_revocations(prefix, testenv::redis_port()));
  redis::BlockingClient client(testenv::redis_host(), testenv::redis_port());
  auto owner = fx.registered();
  auto op = fx.joined(fx.invited(owner, "operator").token(), "olga");
  auto admin = fx.joined(fx.invited(owner, "admin").token(), "adam");
  v1::TokenPair op_pair;
  REQUIRE(fx.login("olga@example.com", kPassword, &op_pair).ok());
  auto op_claims = fx.verifier.verify(op_pair.access_token(), fx.now());
  REQUIRE(op_claims);
  auto key = [&](const v1::User& u) { return redis::user_revoked_key(prefix, u.id()); };
  CHECK(redis_number(client, key(op)) == -1);

  fx.now_us += 5'000'000;  // 5 s later
  REQUIRE(fx.remove(owner, op.id()).ok());
  auto revoked_at = redis_number(client, key(op));
  CHECK(revoked_at == fx.now_us.load() / 1000);
  CHECK(op_claims->issued_at_ms < revoked_at);  // the gateway refuses the old token
  auto ttl = client.command({"PTTL", key(op)});
  REQUIRE(ttl);
  CHECK(ttl->integer > 900'000);  // ACCESS_TOKEN_TTL_S + 60 s margin
  CHECK(ttl->integer <= 960'000);
  CHECK(redis_number(client, key(owner)) == -1);  // nobody else

  // A role change revokes; setting the same role again does not.
  REQUIRE(fx.set_role(owner, admin.id(), "operator").ok());
  auto demoted_at = redis_number(client, key(admin));
  CHECK(demoted_at == fx.now_us.load() / 1000);
  fx.now_us += 1'000'000;
  REQUIRE(fx.set_role(owner, admin.id(), "operator").ok());
  CHECK(redis_number(client, key(admin)) == demoted_at);
  v1::TokenPair fresh;  // a login after the change: a later iat_ms, the new role
  REQUIRE(fx.login("adam@example.com", kPassword, &fresh).ok());
  auto fresh_claims = fx.verifier.verify(fresh.access_token(), fx.now());
  REQUIRE(fresh_claims);
  CHECK(fresh_claims->issued_at_ms >= demoted_at);
  CHECK(fresh_claims->role == "operator");

  // Replaying a rotated refresh token revokes the whole family, access tokens included.
  v1::TokenPair owner_pair;
  v1::TokenPair rotated;
  REQUIRE(fx.login("alice@example.com", kPassword, &owner_pair).ok());
  REQUIRE(fx.refresh(owner_pair.refresh_token(), &rotated).ok());
  fx.now_us += 1'000'000;
  CHECK(fx.refresh(owner_pair.refresh_token(), &rotated).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(redis_number(client, key(owner)) == fx.now_us.load() / 1000);
}

TEST_CASE("login: the access token is dated from before the role was read, not from its signing") {
  // A role change or removal during the password hash stamps a revocation time after the read;
  // a token dated at its signing (after the hash) would pass the gateway's check with the old
  // role. Every clock reading here moves time on by 1 s, so a later dating would differ.
  AuthFixture fx;
  v1::User user;
  REQUIRE(fx.register_user("rita@example.com", "rita", kPassword, &user).ok());
  fx.step_us = 1'000'000;
  auto before_login = fx.now_us.load();
  v1::TokenPair pair;
  REQUIRE(fx.login("rita@example.com", kPassword, &pair).ok());
  auto claims = fx.verifier.verify(pair.access_token(), fx.now());
  REQUIRE(claims);
  CHECK(claims->issued_at_ms == before_login / 1000);  // its first reading, before the user row
}

TEST_CASE("team: with Redis unreachable a removal still succeeds and the failure is counted") {
  // Port 1 on loopback: nothing listens, connecting fails at once.
  TeamFixture fx(AuthFixture::settings(), redis_revocations(unique_prefix(), 1));
  auto& failures = metrics::Registry::global().counter(
      "auth_token_revocation_failures_total",
      "Token revocations that could not be written to Redis (tokens then live until exp)");
  auto before = failures.value();
  auto owner = fx.registered();
  auto op = fx.joined(fx.invited(owner, "operator").token(), "olga");
  REQUIRE(fx.remove(owner, op.id()).ok());
  CHECK(failures.value() == before + 1);
  v1::TokenPair next;
  CHECK(fx.login("olga@example.com", kPassword, &next).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
}
