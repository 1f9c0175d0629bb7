#pragma once
// The real auth and bot-registry services (in process, each on its own fresh PostgreSQL
// database and real gRPC) behind one real gateway, with the chat and subscription fakes; and
// helpers to call it as the dashboard would. Used by gateway_origin_pgtest.

#include <catch2/catch.hpp>

#include "auth_grpc_service.hpp"
#include "auth_migrations.hpp"
#include "authenticator.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"
#include "support/registry_harness.hpp"

namespace botfactory::gateway_test {

constexpr const char* kEmail = "origin-owner@example.com";
constexpr const char* kPassword = "origin-password-2026";

/// The real auth service on a fresh database, signing with the fakes' secret.
struct RealAuth {
  testenv::TestDatabase db;
  std::shared_ptr<pg::Pool> pool = [this] {
    auto p = std::make_shared<pg::Pool>(db.conninfo(), 2);
    auto connection = p->acquire();
    pg::migrate(*connection, "auth", migrations::auth_migrations());
    return p;
  }();
  std::shared_ptr<auth::Authenticator> authenticator =
      std::make_shared<auth::Authenticator>(pool, settings(), [] { return auth::system_clock_micros(); });
  auth::AuthGrpcService service{authenticator};
  rpc::Server server{"127.0.0.1:0", {&service}};

  static auth::AuthSettings settings() {
    auth::AuthSettings s;
    s.jwt_secret = gateway_test::kJwtSecret;
    s.jwt_issuer = "botfactory";
    s.password_cost = auth::PasswordHashCost::min();
    return s;
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(server.port()); }
};

/// Real auth + real bot-registry + fakes for chat and subscription, and one gateway.
struct Stack {
  gateway_test::FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  registry::test::RegistryHarness registry;
  RealAuth auth;
  Instance gateway{fakes.address(), [this](gateway::GatewaySettings& s) {
                      s.auth_addr = auth.address();
                      s.registry_addr = registry.address();
                    }};

  unsigned short port() const { return gateway.port(); }
};

/// One HTTP/1.1 request (http_call) with an Origin header when `origin` is not empty.
inline HttpResult request(unsigned short port, http::verb method, const std::string& target,
                   const std::string& body = {}, const std::string& token = {},
                   const std::string& origin = {},
                   const std::string& content_type = "application/json") {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!origin.empty()) headers.emplace_back("Origin", origin);
  return http_call(port, method, target, body, token, content_type, headers);
}

/// Registers an owner (`email`, a new tenant) through the gateway (real auth) and returns an
/// access token.
inline std::string owner_token(unsigned short port, const std::string& email = kEmail) {
  auto registered = request(port, http::verb::post, "/api/v1/users",
                            json::serialize(json::object{{"email", email},
                                                         {"username", email.substr(0, email.find('@'))},
                                                         {"password", kPassword}}));
  REQUIRE(registered.status == 201);
  auto login = request(port, http::verb::post, "/api/v1/auth/login",
                       json::serialize(json::object{{"email", email}, {"password", kPassword}}));
  REQUIRE(login.status == 200);
  return std::string(login.json().at("access_token").as_string());
}

}  // namespace botfactory::gateway_test
