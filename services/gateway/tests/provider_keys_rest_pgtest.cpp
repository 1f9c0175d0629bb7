// Provider keys and bot model settings through the REST API: the real gateway with the real
// auth and bot-registry (real_stack.hpp). Keys are write-only (reads show the last four
// characters), scoped to the caller's tenant, and never logged by the gateway or the registry.
#include <catch2/catch.hpp>

#include "botfactory/common/logging.hpp"
#include "botfactory/testenv/stderr_capture.hpp"
#include "real_stack.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

namespace {

const std::string kOpenAiKey = "sk-rest-test-0123456789-abcdef-LAST";
const std::string kRoute = "/api/v1/provider-keys";

}  // namespace

TEST_CASE("REST provider keys: write-only, last four shown, effective answerer follows the key") {
  Stack stack;
  auto port = stack.port();
  auto owner = owner_token(port);
  auto other = owner_token(port, "keys-other-tenant@example.com");

  testenv::StderrCapture capture;
  // A bot that asks for openai without a key: extractive, and the API says why.
  auto created = request(port, http::verb::post, "/api/v1/bots",
                         R"({"name":"Model bot","provider":{"provider":"openai","temperature":0.2,)"
                         R"("max_output_tokens":300,"fallback_to_extractive":false}})",
                         owner);
  REQUIRE(created.status == 201);
  auto bot = created.json();
  const std::string bot_id(bot.at("id").as_string());
  CHECK(bot.at("provider").at("model").as_string() == "gpt-4o-mini");
  CHECK(bot.at("provider").at("max_output_tokens").as_int64() == 300);
  CHECK(bot.at("provider").at("fallback_to_extractive").as_bool() == false);
  CHECK(bot.at("effective_answerer").as_string() == "extractive");
  CHECK(bot.at("effective_answerer_reason").as_string() == "no openai key is set for this tenant");

  // PUT the key: 200 with the last four only.
  auto put = request(port, http::verb::put, kRoute + "/openai",
                     json::serialize(json::object{{"key", kOpenAiKey},
                                                  {"base_url", "https://llm.example.net:11434"}}),
                     owner);
  REQUIRE(put.status == 200);
  CHECK(put.body.find(kOpenAiKey) == std::string::npos);
  CHECK(put.json().at("last_four").as_string() == "LAST");
  CHECK(put.json().at("base_url").as_string() == "https://llm.example.net:11434");
  CHECK(put.json().count("key") == 0);

  auto listed = request(port, http::verb::get, kRoute, {}, owner);
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find(kOpenAiKey) == std::string::npos);
  auto keys = listed.json().at("provider_keys").as_array();
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].at("provider").as_string() == "openai");
  CHECK(keys[0].at("last_four").as_string() == "LAST");

  auto got = request(port, http::verb::get, "/api/v1/bots/" + bot_id, {}, owner);
  REQUIRE(got.status == 200);
  CHECK(got.json().at("effective_answerer").as_string() == "openai");
  CHECK(got.json().at("effective_answerer_reason").is_null());
  CHECK(got.body.find(kOpenAiKey) == std::string::npos);

  // PATCH the model fields.
  auto patched = request(port, http::verb::patch, "/api/v1/bots/" + bot_id,
                         R"({"provider":{"provider":"gemini","model":"gemini-2.5-pro"}})", owner);
  REQUIRE(patched.status == 200);
  CHECK(patched.json().at("provider").at("model").as_string() == "gemini-2.5-pro");
  CHECK(patched.json().at("provider").at("max_output_tokens").as_int64() == 1024);
  CHECK(patched.json().at("provider").at("fallback_to_extractive").as_bool());
  CHECK(patched.json().at("effective_answerer").as_string() == "extractive");

  // Bad input: 400 validation_failed with a message that does not echo the key.
  struct Bad {
    http::verb method;
    std::string target, body;
  };
  for (const auto& bad : std::vector<Bad>{
           {http::verb::put, kRoute + "/anthropic", R"({"key":"sk-some-valid-looking-key"})"},
           {http::verb::put, kRoute + "/openai", R"({"key":"short"})"},
           {http::verb::put, kRoute + "/openai", R"({})"},
           {http::verb::put, kRoute + "/openai", R"({"key":42})"},
           {http::verb::put, kRoute + "/openai", R"({"key":"sk-some-valid-looking-key","base_url":"ftp://x"})"},
           // A private / metadata host (SSRF; LLM_TENANT_PRIVATE_ADDRESSES off).
           {http::verb::put, kRoute + "/openai", R"({"key":"sk-some-valid-looking-key","base_url":"http://169.254.169.254/v1"})"},
           {http::verb::patch, "/api/v1/bots/" + bot_id, R"({"provider":{"max_output_tokens":"many"}})"},
           {http::verb::patch, "/api/v1/bots/" + bot_id, R"({"provider":{"max_output_tokens":1.5}})"},
           {http::verb::patch, "/api/v1/bots/" + bot_id, R"({"provider":{"max_output_tokens":99999999999}})"},
           {http::verb::patch, "/api/v1/bots/" + bot_id, R"({"provider":{"fallback_to_extractive":"yes"}})"},
       }) {
    INFO(bad.target << " " << bad.body);
    auto response = request(port, bad.method, bad.target, bad.body, owner);
    CHECK(response.status == 400);
    CHECK(response.error_code() == "validation_failed");
    CHECK(response.body.find("sk-some-valid-looking-key") == std::string::npos);
  }

  // Another tenant sees no keys, cannot delete ours, and its own openai bot stays extractive.
  auto theirs = request(port, http::verb::get, kRoute, {}, other);
  REQUIRE(theirs.status == 200);
  CHECK(theirs.json().at("provider_keys").as_array().empty());
  auto their_delete = request(port, http::verb::delete_, kRoute + "/openai", {}, other);
  CHECK(their_delete.status == 404);
  CHECK(their_delete.error_code() == "not_found");
  auto their_bot = request(port, http::verb::post, "/api/v1/bots",
                           R"({"name":"Theirs","provider":{"provider":"openai"}})", other);
  REQUIRE(their_bot.status == 201);
  CHECK(their_bot.json().at("effective_answerer").as_string() == "extractive");
  CHECK(request(port, http::verb::get, "/api/v1/bots/" + bot_id, {}, other).status == 404);
  // Without a token, or with a widget token: refused.
  CHECK(request(port, http::verb::get, kRoute, {}, {}).status == 401);
  CHECK(request(port, http::verb::put, kRoute + "/openai", R"({"key":"sk-some-valid-looking-key"})", {})
            .status == 401);

  // DELETE: 204, then 404; the list is empty again.
  CHECK(request(port, http::verb::delete_, kRoute + "/openai", {}, owner).status == 204);
  CHECK(request(port, http::verb::delete_, kRoute + "/openai", {}, owner).status == 404);
  CHECK(request(port, http::verb::get, kRoute, {}, owner).json().at("provider_keys").as_array().empty());

  common::logger("rest")->flush();
  const std::string log = capture.finish();
  INFO(log);
  CHECK(log.find("provider key set") != std::string::npos);  // the registry's log was captured
  CHECK(log.find(kOpenAiKey) == std::string::npos);
  CHECK(log.find("sk-some-valid-looking-key") == std::string::npos);
}
