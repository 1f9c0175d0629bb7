// Canned responses (saved replies) through the real gateway and the real channel-connector (in
// process, fresh database): team roles (operators list, admins and owners write, visitors
// refused), JSON and field validation, the case-folded duplicate (409 conflict), tenant
// isolation (another tenant's id is 404) and the per-tenant bound (409 canned_limit).

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

const std::string kRoute = "/api/v1/canned-responses";

HttpResult call(unsigned short port, http::verb method, const std::string& target,
                const std::string& token, const std::string& body = {}) {
  return http_call(port, method, target, body, token);
}

}  // namespace

TEST_CASE("REST canned responses: roles, validation, duplicates, isolation, the bound") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  cct::Harness connector([](cc::ChannelSettings& s) {
    s.pipeline_threads = 1;
    s.canned_max_per_tenant = 3;
  });
  Instance gw{fakes.address(), [&](gateway::GatewaySettings& s) { s.channel_addr = connector.address(); }};
  auto port = gw.port();
  const std::string tenant = common::random_uuid();
  const std::string other_tenant = common::random_uuid();
  auto admin = role_token(fakes, tenant, "admin");
  auto owner = role_token(fakes, tenant, "");
  auto op = role_token(fakes, tenant, "operator");
  auto other = role_token(fakes, other_tenant, "admin");

  // An admin creates one; the short code is folded.
  auto r = call(port, http::verb::post, kRoute, admin,
                R"({"short_code":"Refund","content":"Hi {{visitor.name}}, refunds take 3 days."})");
  REQUIRE(r.status == 201);
  CHECK(r.json().at("short_code").as_string() == "refund");
  CHECK(r.json().at("content").as_string() == "Hi {{visitor.name}}, refunds take 3 days.");
  CHECK(r.json().contains("created_at"));
  const std::string id(r.json().at("id").as_string());

  // Operators list and search; they may not write (403, nothing changes).
  r = call(port, http::verb::get, kRoute + "?q=REF", op);
  REQUIRE(r.status == 200);
  REQUIRE(r.json().at("canned_responses").as_array().size() == 1);
  CHECK(r.json().at("total").as_int64() == 1);
  CHECK(r.json().at("max").as_int64() == 3);
  CHECK(call(port, http::verb::post, kRoute, op, R"({"short_code":"x","content":"y"})").status == 403);
  CHECK(call(port, http::verb::patch, kRoute + "/" + id, op, R"({"content":"y"})").status == 403);
  CHECK(call(port, http::verb::delete_, kRoute + "/" + id, op).status == 403);
  // A visitor token: 403 everywhere, listing included; no token: 401.
  auto v = visitor_token(fakes, tenant);
  CHECK(call(port, http::verb::get, kRoute, v).status == 403);
  CHECK(call(port, http::verb::post, kRoute, v, R"({"short_code":"x","content":"y"})").status == 403);
  CHECK(call(port, http::verb::get, kRoute, "").status == 401);

  // Validation: 400 (the JSON layer's codes for a non-object body or a control character).
  const std::vector<std::pair<std::string, std::string>> bad{
      {"not json", "invalid_json"},
      {R"({"short_code":"x"})", "validation_failed"},
      {R"({"short_code":7,"content":"y"})", "validation_failed"},
      {R"({"short_code":"a b","content":"y"})", "validation_failed"},
      {R"({"short_code":"x","content":""})", "validation_failed"},
      {R"({"short_code":"x","content":"tab\there"})", "validation_failed"},
      {R"({"short_code":"x","content":"a\u0007b"})", "invalid_argument"},
      {std::string(R"({"short_code":")") + std::string(33, 'a') + R"(","content":"y"})", "validation_failed"},
      {R"({"short_code":"x","content":")" + std::string(2001, 'y') + R"("})", "validation_failed"}};
  for (const auto& [body, code] : bad) {
    INFO(body.substr(0, 80));
    r = call(port, http::verb::post, kRoute, admin, body);
    CHECK(r.status == 400);
    if (r.status == 400) CHECK(r.error_code() == code);
  }
  r = call(port, http::verb::patch, kRoute + "/" + id, admin, "{}");
  CHECK(r.status == 400);
  r = call(port, http::verb::get, kRoute + "?q=" + std::string(201, 'q'), admin);
  CHECK(r.status == 400);

  // The same code in another case: 409 conflict; the owner (no role claim) may write too.
  r = call(port, http::verb::post, kRoute, owner, R"({"short_code":"REFUND","content":"again"})");
  REQUIRE(r.status == 409);
  CHECK(r.error_code() == "conflict");
  r = call(port, http::verb::post, kRoute, owner, R"({"short_code":"hours","content":"9 to 5"})");
  REQUIRE(r.status == 201);
  const std::string hours(r.json().at("id").as_string());
  r = call(port, http::verb::patch, kRoute + "/" + hours, admin, R"({"short_code":"refund"})");
  CHECK(r.status == 409);

  // Another tenant's admin: the ids are unknown (404), its list is empty, nothing changed.
  CHECK(call(port, http::verb::patch, kRoute + "/" + id, other, R"({"content":"mine"})").status == 404);
  CHECK(call(port, http::verb::delete_, kRoute + "/" + id, other).status == 404);
  CHECK(call(port, http::verb::delete_, kRoute + "/not-a-uuid", admin).status == 404);
  r = call(port, http::verb::get, kRoute, other);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("canned_responses").as_array().empty());

  // Edit and delete.
  r = call(port, http::verb::patch, kRoute + "/" + id, admin, R"({"content":"Refunds take 5 days."})");
  REQUIRE(r.status == 200);
  CHECK(r.json().at("content").as_string() == "Refunds take 5 days.");
  CHECK(r.json().at("short_code").as_string() == "refund");

  // The bound (3 here): the third fits, the fourth is 409 canned_limit.
  CHECK(call(port, http::verb::post, kRoute, admin, R"({"short_code":"third","content":"3"})").status == 201);
  r = call(port, http::verb::post, kRoute, admin, R"({"short_code":"fourth","content":"4"})");
  REQUIRE(r.status == 409);
  CHECK(r.error_code() == "canned_limit");
  CHECK(call(port, http::verb::delete_, kRoute + "/" + hours, admin).status == 204);
  CHECK(call(port, http::verb::post, kRoute, admin, R"({"short_code":"fourth","content":"4"})").status == 201);
  r = call(port, http::verb::get, kRoute, op);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("total").as_int64() == 3);
}
