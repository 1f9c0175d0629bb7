// Outgoing webhooks' REST routes through the real gateway and the real channel-connector (in
// process, fresh database, WEBHOOK_ALLOW_PRIVATE off): admin/owner only (operators and visitors
// 403), JSON and field validation (https only, no private hosts, known events), the signing
// secret in the create and rotate answers only, the delivery log and the test event, tenant
// isolation (another tenant's id is 404) and the per-tenant bound (409 webhook_limit).

#include <catch2/catch.hpp>

#include "channel_app.hpp"
#include "fake_services.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"

using namespace botfactory::gateway_test;
namespace common = botfactory::common;
namespace testenv = botfactory::testenv;
namespace gateway = botfactory::gateway;
namespace cc = botfactory::channel;
namespace cct = botfactory::channel::testing_support;

namespace {

const std::string kRoute = "/api/v1/webhook-endpoints";

HttpResult call(unsigned short port, http::verb method, const std::string& target,
                const std::string& token, const std::string& body = {}) {
  return http_call(port, method, target, body, token);
}

}  // namespace

TEST_CASE("REST webhook endpoints: roles, validation, the secret once, log, isolation, the bound") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  cct::Harness connector([](cc::ChannelSettings& s) {
    s.pipeline_threads = 1;
    s.webhook_endpoints_max = 2;
  });
  connector.app().webhook_dispatcher().stop();  // the log shows queued rows as they are
  Instance gw{fakes.address(), [&](gateway::GatewaySettings& s) { s.channel_addr = connector.address(); }};
  auto port = gw.port();
  const std::string tenant = common::random_uuid();
  auto admin = role_token(fakes, tenant, "admin");
  auto owner = role_token(fakes, tenant, "");
  auto op = role_token(fakes, tenant, "operator");
  auto other = role_token(fakes, common::random_uuid(), "admin");

  // An admin creates one: the answer carries the secret, once.
  auto r = call(port, http::verb::post, kRoute, admin,
                R"({"url":"https://hooks.example.com/bf","events":["message.created","handoff.requested"]})");
  REQUIRE(r.status == 201);
  const std::string secret(r.json().at("secret").as_string());
  CHECK(secret.rfind("whsec_", 0) == 0);
  CHECK(r.json().at("enabled").as_bool());
  CHECK(r.json().at("events").as_array().size() == 2);
  const std::string id(r.json().at("id").as_string());

  r = call(port, http::verb::get, kRoute, owner);
  REQUIRE(r.status == 200);
  REQUIRE(r.json().at("webhook_endpoints").as_array().size() == 1);
  CHECK(r.json().at("max").as_int64() == 2);
  CHECK(r.body.find(secret) == std::string::npos);
  CHECK(r.body.find("secret") == std::string::npos);

  // Operators and visitors: 403 on every route; no token: 401.
  auto v = visitor_token(fakes, tenant);
  for (const auto* t : {&op, &v}) {
    CHECK(call(port, http::verb::get, kRoute, *t).status == 403);
    CHECK(call(port, http::verb::post, kRoute, *t, R"({"url":"https://a.example.com","events":["message.created"]})").status == 403);
    CHECK(call(port, http::verb::patch, kRoute + "/" + id, *t, R"({"enabled":false})").status == 403);
    CHECK(call(port, http::verb::delete_, kRoute + "/" + id, *t).status == 403);
    CHECK(call(port, http::verb::get, kRoute + "/" + id + "/deliveries", *t).status == 403);
    CHECK(call(port, http::verb::post, kRoute + "/" + id + "/test", *t).status == 403);
    CHECK(call(port, http::verb::post, kRoute + "/" + id + "/rotate-secret", *t).status == 403);
  }
  CHECK(call(port, http::verb::get, kRoute, "").status == 401);

  // Validation (WEBHOOK_ALLOW_PRIVATE off: https only, no private or loopback hosts).
  const std::vector<std::pair<std::string, std::string>> bad{
      {"not json", "invalid_json"},
      {R"({"events":["message.created"]})", "validation_failed"},
      {R"({"url":"https://a.example.com"})", "validation_failed"},
      {R"({"url":7,"events":["message.created"]})", "validation_failed"},
      {R"({"url":"https://a.example.com","events":"message.created"})", "validation_failed"},
      {R"({"url":"https://a.example.com","events":[]})", "validation_failed"},
      {R"({"url":"https://a.example.com","events":["message.exploded"]})", "validation_failed"},
      {R"({"url":"http://a.example.com","events":["message.created"]})", "validation_failed"},
      {R"({"url":"https://127.0.0.1/x","events":["message.created"]})", "validation_failed"},
      {R"({"url":"https://169.254.169.254/x","events":["message.created"]})", "validation_failed"},
      {R"({"url":"https://10.0.0.5/x","events":["message.created"]})", "validation_failed"},
      {R"({"url":"file:///etc/passwd","events":["message.created"]})", "validation_failed"},
      {R"({"url":"https://a.example.com/)" + std::string(2048, 'a') + R"(","events":["message.created"]})",
       "validation_failed"}};
  for (const auto& [body, code] : bad) {
    INFO(body.substr(0, 80));
    r = call(port, http::verb::post, kRoute, admin, body);
    CHECK(r.status == 400);
    if (r.status == 400) CHECK(r.error_code() == code);
  }
  CHECK(call(port, http::verb::patch, kRoute + "/" + id, admin, "{}").status == 400);
  CHECK(call(port, http::verb::patch, kRoute + "/" + id, admin, R"({"enabled":"no"})").status == 400);
  CHECK(call(port, http::verb::get, kRoute + "/" + id + "/deliveries?limit=0", admin).status == 400);
  CHECK(call(port, http::verb::get, kRoute + "/" + id + "/deliveries?limit=101", admin).status == 400);

  // Edit, test event, log.
  r = call(port, http::verb::patch, kRoute + "/" + id, admin, R"({"enabled":false,"events":["conversation.created"]})");
  REQUIRE(r.status == 200);
  CHECK_FALSE(r.json().at("enabled").as_bool());
  CHECK(r.json().at("events").as_array().size() == 1);
  r = call(port, http::verb::post, kRoute + "/" + id + "/test", admin);
  REQUIRE(r.status == 202);
  const std::string delivery(r.json().at("delivery_id").as_string());
  r = call(port, http::verb::get, kRoute + "/" + id + "/deliveries?limit=5", admin);
  REQUIRE(r.status == 200);
  auto log = r.json();  // a named value: row refers into it
  REQUIRE(log.at("deliveries").as_array().size() == 1);
  const auto& row = log.at("deliveries").as_array()[0].as_object();
  CHECK(row.at("id").as_string() == delivery);
  CHECK(row.at("event").as_string() == "webhook.test");
  CHECK(row.at("status").as_string() == "pending");
  CHECK(row.at("attempts").as_int64() == 0);

  // Rotate: a new secret, shown once.
  r = call(port, http::verb::post, kRoute + "/" + id + "/rotate-secret", owner);
  REQUIRE(r.status == 200);
  const std::string rotated(r.json().at("secret").as_string());
  CHECK(rotated.rfind("whsec_", 0) == 0);
  CHECK(rotated != secret);

  // Another tenant: 404 for the id on every route, an empty list.
  r = call(port, http::verb::get, kRoute, other);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("webhook_endpoints").as_array().empty());
  CHECK(call(port, http::verb::patch, kRoute + "/" + id, other, R"({"enabled":true})").status == 404);
  CHECK(call(port, http::verb::get, kRoute + "/" + id + "/deliveries", other).status == 404);
  CHECK(call(port, http::verb::post, kRoute + "/" + id + "/test", other).status == 404);
  CHECK(call(port, http::verb::post, kRoute + "/" + id + "/rotate-secret", other).status == 404);
  CHECK(call(port, http::verb::delete_, kRoute + "/" + id, other).status == 404);
  CHECK(call(port, http::verb::delete_, kRoute + "/not-a-uuid", admin).status == 404);

  // The bound: WEBHOOK_ENDPOINTS_MAX = 2.
  REQUIRE(call(port, http::verb::post, kRoute, admin,
               R"({"url":"https://b.example.com","events":["message.created"]})").status == 201);
  r = call(port, http::verb::post, kRoute, admin, R"({"url":"https://c.example.com","events":["message.created"]})");
  CHECK(r.status == 409);
  CHECK(r.error_code() == "webhook_limit");

  // Delete: 204, then 404; its log goes with it.
  CHECK(call(port, http::verb::delete_, kRoute + "/" + id, admin).status == 204);
  CHECK(call(port, http::verb::delete_, kRoute + "/" + id, admin).status == 404);
  CHECK(connector.count("SELECT count(*) FROM chat.webhook_deliveries WHERE id = $1", {delivery}) == 0);
}
