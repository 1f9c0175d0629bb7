// Per-bot allowed origins end to end, and PDF knowledge uploads through the gateway: the real
// gateway (port 0), the real auth and bot-registry services (in process, each on its own fresh
// PostgreSQL database and real gRPC), the chat and subscription fakes, and Beast clients that
// send the Origin header a browser would.
#include <catch2/catch.hpp>

#include "botfactory/common/random.hpp"
#include "botfactory/jwt/tokens.hpp"
#include "real_stack.hpp"
#include "support/pdf_builder.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

namespace {

/// The status of a WebSocket opening handshake with `token` and `origin` (empty = none): 101
/// when it opened.
int upgrade_status(unsigned short port, const std::string& token, const std::string& origin) {
  WsClient ws(port, token, origin);
  if (!ws.open()) return ws.handshake_status();
  ws.close();
  return 101;
}

}  // namespace

TEST_CASE("allowed origins: widget sessions and WebSocket upgrades from other pages are refused") {
  Stack stack;
  auto port = stack.port();
  auto owner = owner_token(port);

  // REST create with a list (canonicalised by bot-registry), get shows it.
  auto created = request(port, http::verb::post, "/api/v1/bots",
                         R"({"name":"Shop bot","allowed_origins":["HTTPS://Shop.Example:443","http://localhost:8080"]})",
                         owner);
  REQUIRE(created.status == 201);
  auto bot = created.json();
  std::string bot_id(bot.at("id").as_string());
  std::string public_id(bot.at("public_id").as_string());
  CHECK(json::serialize(bot.at("allowed_origins")) == R"(["https://shop.example","http://localhost:8080"])");
  auto got = request(port, http::verb::get, "/api/v1/bots/" + bot_id, {}, owner);
  REQUIRE(got.status == 200);
  CHECK(got.json().at("allowed_origins").as_array().size() == 2);
  // A malformed origin: 400 with the registry's message; wrong JSON type: 400.
  auto bad = request(port, http::verb::patch, "/api/v1/bots/" + bot_id,
                     R"({"allowed_origins":["https://shop.example/path"]})", owner);
  CHECK(bad.status == 400);
  CHECK(bad.error_code() == "validation_failed");
  CHECK(request(port, http::verb::patch, "/api/v1/bots/" + bot_id, R"({"allowed_origins":"x"})", owner)
            .status == 400);

  const std::string sessions = "/api/v1/widget/" + public_id + "/sessions";
  // Listed origin (any spelling of it): a session whose token only works from that origin.
  auto session = request(port, http::verb::post, sessions, "{}", {}, "https://SHOP.example");
  REQUIRE(session.status == 201);
  std::string token(session.json().at("token").as_string());
  jwt::TokenVerifier verifier(gateway_test::kJwtSecret, "botfactory");
  auto claims = verifier.verify(token);
  REQUIRE(claims);
  CHECK(claims->origin == "https://shop.example");

  // Another page, no Origin, the opaque origin: 403 origin_not_allowed, nothing created.
  for (const std::string origin : {"https://evil.example", "", "null", "https://shop.example.evil.example",
                                   "http://shop.example"}) {
    INFO("Origin: '" << origin << "'");
    auto refused = request(port, http::verb::post, sessions, "{}", {}, origin);
    CHECK(refused.status == 403);
    CHECK(refused.error_code() == "origin_not_allowed");
  }

  // The session's token opens a WebSocket from its origin only.
  CHECK(upgrade_status(port, token, "https://shop.example") == 101);
  CHECK(upgrade_status(port, token, "https://shop.example:443") == 101);
  CHECK(upgrade_status(port, token, "https://evil.example") == 403);
  CHECK(upgrade_status(port, token, "") == 403);
  // Renewing the session: from its origin, a new token with the same claim; from another page,
  // 403 like a new session.
  auto renewed = request(port, http::verb::post, sessions, "{}", token, "https://shop.example");
  REQUIRE(renewed.status == 200);
  auto renewed_claims = verifier.verify(std::string(renewed.json().at("token").as_string()));
  REQUIRE(renewed_claims);
  CHECK(renewed_claims->origin == "https://shop.example");
  CHECK(renewed_claims->conversation_id == claims->conversation_id);
  for (const std::string origin : {"https://evil.example", ""}) {
    auto refused = request(port, http::verb::post, sessions, "{}", token, origin);
    CHECK(refused.status == 403);
    CHECK(refused.error_code() == "origin_not_allowed");
  }
  // Operators (user tokens) are not bound to an origin.
  CHECK(upgrade_status(port, owner, "https://anywhere.example") == 101);

  // An empty list: any origin again, and tokens without an origin claim.
  auto cleared = request(port, http::verb::patch, "/api/v1/bots/" + bot_id,
                         R"({"allowed_origins":[]})", owner);
  REQUIRE(cleared.status == 200);
  CHECK(cleared.json().at("allowed_origins").as_array().empty());
  auto open_session = request(port, http::verb::post, sessions, "{}", {}, "https://evil.example");
  REQUIRE(open_session.status == 201);
  std::string open_token(open_session.json().at("token").as_string());
  CHECK(verifier.verify(open_token)->origin.empty());
  CHECK(upgrade_status(port, open_token, "https://evil.example") == 101);
  CHECK(upgrade_status(port, open_token, "") == 101);
  // ... while the earlier token keeps its claim until it expires.
  CHECK(upgrade_status(port, token, "https://evil.example") == 403);
}

TEST_CASE("knowledge upload: a PDF through multipart/form-data is stored with its text") {
  Stack stack;
  auto port = stack.port();
  auto owner = owner_token(port);
  auto created = request(port, http::verb::post, "/api/v1/bots", R"({"name":"Manuals"})", owner);
  REQUIRE(created.status == 201);
  std::string bot_id(created.json().at("id").as_string());

  auto upload = [&](const std::string& filename, const std::string& bytes) {
    const std::string boundary = "----bf" + common::random_base62(12);
    std::string body = "--" + boundary +
                       "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
                       "\"\r\nContent-Type: application/pdf\r\n\r\n" + bytes + "\r\n--" + boundary +
                       "--\r\n";
    return request(port, http::verb::post, "/api/v1/bots/" + bot_id + "/knowledge", body, owner, {},
                   "multipart/form-data; boundary=" + boundary);
  };
  auto pdf = registry_test::build_pdf({registry_test::text_content(
      {"Descaling", "Descale the kettle every month with citric acid."})});
  auto stored = upload("kettle-manual.PDF", pdf);
  INFO(stored.body);
  REQUIRE(stored.status == 201);
  CHECK(stored.json().at("format").as_string() == "pdf");
  CHECK(stored.json().at("size_bytes").as_int64() == static_cast<std::int64_t>(pdf.size()));
  CHECK(stored.json().at("title").as_string() == "kettle-manual.PDF");
  auto me = request(port, http::verb::get, "/api/v1/users/me", {}, owner);
  REQUIRE(me.status == 200);
  registry::v1::GetBotRequest get;
  get.set_tenant_id(std::string(me.json().at("tenant_id").as_string()));
  get.set_bot_id(bot_id);
  auto hits = stack.registry.search(stack.registry.bots->get_bot(get), "descale kettle");
  REQUIRE_FALSE(hits.empty());
  CHECK(hits[0].text().find("citric acid") != std::string::npos);

  // A file without an extension is taken as a PDF by its part's Content-Type.
  auto unnamed = upload("kettle-manual", pdf);
  CHECK(unnamed.status == 201);
  CHECK(unnamed.json().at("format").as_string() == "pdf");
  // A scan and a file that is not a PDF: 400 with a clear message; nothing more stored.
  auto scan = upload("scan.pdf", registry_test::build_pdf({registry_test::drawing_content()}));
  CHECK(scan.status == 400);
  CHECK(scan.json().at("error").at("message").as_string() == "the PDF has no text layer (a scan?)");
  auto fake = upload("fake.pdf", "MZ\x90\x00 not a pdf at all");
  CHECK(fake.status == 400);
  CHECK(fake.json().at("error").at("message").as_string() == "the file is not a valid PDF");
  // JSON bodies cannot carry a PDF.
  auto json_pdf = request(port, http::verb::post, "/api/v1/bots/" + bot_id + "/knowledge",
                          R"({"title":"x","format":"pdf","body":"%PDF-1.4"})", owner);
  CHECK(json_pdf.status == 400);
  auto listed = request(port, http::verb::get, "/api/v1/bots/" + bot_id + "/knowledge", {}, owner);
  CHECK(listed.json().at("documents").as_array().size() == 2);
}
