// look: a bot's `widget` appearance through the REST API (docs/api.md "Bots", "Widget sessions"):
// the real gateway (port 0), the real auth and bot-registry (in process, real PostgreSQL, real
// gRPC), the chat and subscription fakes. POST/PATCH/GET round trips, the defaults, replacement
// as a whole, 400 validation_failed naming the field, and the widget session (new and renewed)
// carrying `bot.widget`.
#include <catch2/catch.hpp>

#include "real_stack.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

TEST_CASE("look: widget appearance over REST and in the widget session response") {
  Stack stack;
  auto port = stack.port();
  auto owner = owner_token(port, "look@shop.example");

  // Created without one: the defaults.
  auto created = request(port, http::verb::post, "/api/v1/bots", R"({"name":"Shop bot"})", owner);
  REQUIRE(created.status == 201);
  auto bot = created.json();
  CHECK(json::serialize(bot.at("widget")) ==
        R"({"color":"#3b3fd8","title":"","position":"right","suggested_questions":[]})");
  const std::string id(bot.at("id").as_string());
  const std::string path = "/api/v1/bots/" + id;

  // PATCH sets it; GET and the list show it.
  auto patched = request(port, http::verb::patch, path,
                         R"({"widget":{"color":"#0B7A4B","title":"Shop help","position":"left",)"
                         R"("suggested_questions":["Where is my order?","Как вернуть товар?"]}})",
                         owner);
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  const std::string expected =
      R"({"color":"#0b7a4b","title":"Shop help","position":"left","suggested_questions":["Where is my order?","Как вернуть товар?"]})";
  CHECK(json::serialize(patched.json().at("widget")) == expected);
  auto got = request(port, http::verb::get, path, {}, owner);
  REQUIRE(got.status == 200);
  CHECK(json::serialize(got.json().at("widget")) == expected);
  auto listed = request(port, http::verb::get, "/api/v1/bots", {}, owner);
  CHECK(json::serialize(listed.json().at("bots").at(0).at("widget")) == expected);
  // A PATCH of other fields keeps it.
  REQUIRE(request(port, http::verb::patch, path, R"({"greeting":"Hello"})", owner).status == 200);
  CHECK(json::serialize(request(port, http::verb::get, path, {}, owner).json().at("widget")) == expected);

  // The widget session carries it (new and renewed).
  const std::string sessions = "/api/v1/widget/" + std::string(bot.at("public_id").as_string()) + "/sessions";
  auto session = request(port, http::verb::post, sessions, "{}");
  REQUIRE(session.status == 201);
  CHECK(json::serialize(session.json().at("bot").at("widget")) == expected);
  CHECK(session.json().at("bot").at("greeting").as_string() == "Hello");
  const std::string visitor(session.json().at("token").as_string());
  auto renewed = request(port, http::verb::post, sessions, "{}", visitor);
  REQUIRE(renewed.status == 200);
  CHECK(json::serialize(renewed.json().at("bot").at("widget")) == expected);

  // Bad values: 400 validation_failed with a message naming the field; nothing changes.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"widget":{"color":"green"}})", "widget.color"},
      {R"({"widget":{"color":12}})", "widget.color must be a string"},
      {R"({"widget":{"title":")" + std::string(61, 't') + R"("}})", "widget.title must be at most 60"},
      {R"({"widget":{"position":"top"}})", "widget.position"},
      {R"({"widget":{"suggested_questions":["a","b","c","d","e"]}})", "widget.suggested_questions must hold at most 4"},
      {R"({"widget":{"suggested_questions":[")" + std::string(81, 'q') + R"("]}})",
       "widget.suggested_questions[0] must be 1 to 80"},
      {R"({"widget":{"suggested_questions":["ok",""]}})", "widget.suggested_questions[1] must be 1 to 80"},
      {R"({"widget":{"suggested_questions":["two\nlines"]}})", "widget.suggested_questions[0] must not contain"},
      {R"({"widget":{"suggested_questions":"Where?"}})", "widget.suggested_questions must be an array"},
      {R"({"widget":{"suggested_questions":[1]}})", "widget.suggested_questions must be an array"},
      {R"({"widget":"blue"})", "widget must be an object"},
  };
  for (const auto& [body, message] : bad) {
    INFO(body);
    auto refused = request(port, http::verb::patch, path, body, owner);
    CHECK(refused.status == 400);
    CHECK(refused.error_code() == "validation_failed");
    CHECK_THAT(std::string(refused.json().at("error").at("message").as_string()),
               Catch::Matchers::StartsWith(message));
  }
  auto refused_create = request(port, http::verb::post, "/api/v1/bots",
                                R"({"name":"Other","widget":{"color":"#12345"}})", owner);
  CHECK(refused_create.status == 400);
  CHECK(json::serialize(request(port, http::verb::get, path, {}, owner).json().at("widget")) == expected);

  // A PATCH with `widget` replaces it as a whole: the questions clear, absent members default.
  auto cleared = request(port, http::verb::patch, path, R"({"widget":{"title":"Help"}})", owner);
  REQUIRE(cleared.status == 200);
  CHECK(json::serialize(cleared.json().at("widget")) ==
        R"({"color":"#3b3fd8","title":"Help","position":"right","suggested_questions":[]})");
  auto fresh = request(port, http::verb::post, sessions, "{}");
  REQUIRE(fresh.status == 201);
  CHECK(fresh.json().at("bot").at("widget").at("suggested_questions").as_array().empty());

  // Another tenant cannot read or change it.
  auto other = owner_token(port, "other@shop.example");
  CHECK(request(port, http::verb::patch, path, R"({"widget":{"title":"Mine"}})", other).status == 404);
}

TEST_CASE("look: GET /api/v1/widget/{public_id} gives the bot's look before any session") {
  Stack stack;
  auto port = stack.port();
  auto owner = owner_token(port, "look-get@shop.example");
  auto created = request(port, http::verb::post, "/api/v1/bots",
                         R"({"name":"Shop bot","greeting":"Hi!","widget":{"color":"#0b7a4b","position":"left",)"
                         R"("suggested_questions":["Where is my order?"]}})",
                         owner);
  REQUIRE(created.status == 201);
  const std::string public_id(created.json().at("public_id").as_string());
  const std::string path = "/api/v1/widget/" + public_id;

  auto got = request(port, http::verb::get, path);
  INFO(got.body);
  REQUIRE(got.status == 200);
  CHECK(json::serialize(got.json()) ==
        R"({"bot":{"name":"Shop bot","language":"en","greeting":"Hi!","widget":{"color":"#0b7a4b","title":"",)"
        R"("position":"left","suggested_questions":["Where is my order?"]}}})");
  CHECK(std::string(got.raw[http::field::cache_control]) == "no-store");
  // Any token is ignored (a forged one too): the route is public.
  CHECK(request(port, http::verb::get, path, {}, "not-a-token").status == 200);
  // Unknown and malformed public ids: 404.
  CHECK(request(port, http::verb::get, "/api/v1/widget/pb_0000000000000000").status == 404);
  CHECK(request(port, http::verb::get, "/api/v1/widget/nope").status == 404);

  // A bot with allowed origins: only from them.
  auto limited = request(port, http::verb::patch, "/api/v1/bots/" + std::string(created.json().at("id").as_string()),
                         R"({"allowed_origins":["https://shop.example"]})", owner);
  REQUIRE(limited.status == 200);
  CHECK(request(port, http::verb::get, path, {}, {}, "https://shop.example").status == 200);
  for (const std::string origin : {"https://evil.example", ""}) {
    auto refused = request(port, http::verb::get, path, {}, {}, origin);
    CHECK(refused.status == 403);
    CHECK(refused.error_code() == "origin_not_allowed");
  }
}
