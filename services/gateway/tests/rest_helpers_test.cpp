// Unit tests of the REST building blocks: routing, targets, errors, multipart, JSON shapes,
// static files, and RestApi answers that need no upstream call. No network.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <boost/json.hpp>
#include <grpcpp/support/status.h>

#include "botfactory/common/v1/common.pb.h"
#include "http/api_error.hpp"
#include "http/client_rate_limit.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/jwt/tokens.hpp"
#include "botfactory/rpc/status.hpp"
#include "http/http_message.hpp"
#include "http/multipart.hpp"
#include "http/rate_limiter.hpp"
#include "rest/rest_api.hpp"
#include "rest/rest_json.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "rest/upstreams.hpp"

using namespace botfactory;
using namespace botfactory::gateway;
namespace json = boost::json;

namespace {

json::object body_of(const HttpResponse& response) {
  return json::parse(response.body).as_object();
}

std::string error_code_of(const HttpResponse& response) {
  return std::string(body_of(response).at("error").at("code").as_string());
}

}  // namespace

TEST_CASE("routes match patterns, capture parameters and report wrong methods") {
  auto m = match_route("GET", "/api/v1/bots/b1/knowledge");
  REQUIRE(m.kind == RouteMatch::Kind::kFound);
  CHECK(m.endpoint == Endpoint::kListKnowledge);
  CHECK(m.params == std::vector<std::string>{"b1"});
  CHECK(m.pattern == "/api/v1/bots/{id}/knowledge");

  m = match_route("DELETE", "/api/v1/bots/b1/knowledge/d9/");
  REQUIRE(m.kind == RouteMatch::Kind::kFound);
  CHECK(m.endpoint == Endpoint::kDeleteKnowledge);
  CHECK(m.params == std::vector<std::string>{"b1", "d9"});

  m = match_route("PUT", "/api/v1/bots/b1");
  CHECK(m.kind == RouteMatch::Kind::kMethodNotAllowed);
  CHECK(m.allow == "GET, PATCH, DELETE");

  CHECK(match_route("GET", "/api/v1/nothing").kind == RouteMatch::Kind::kNotFound);
  CHECK(match_route("GET", "/api/v1/bots//knowledge").kind == RouteMatch::Kind::kNotFound);
  CHECK(match_route("POST", "/api/v1/widget/pb_x/sessions").endpoint ==
        Endpoint::kCreateWidgetSession);
  CHECK(match_route("GET", "/api/v1/conversations/c1/messages").endpoint == Endpoint::kListMessages);
  CHECK(match_route("GET", "/api/v1/usage/daily").endpoint == Endpoint::kDailyUsage);
  // answer feedback: the visitor's routes are not refused early for a visitor token; the bot's
  // list is for user tokens only.
  CHECK(match_route("PUT", "/api/v1/conversations/c1/messages/3/feedback").endpoint ==
        Endpoint::kSetMessageFeedback);
  CHECK(match_route("GET", "/api/v1/conversations/c1/feedback").endpoint ==
        Endpoint::kListConversationFeedback);
  CHECK_FALSE(requires_user_token(Endpoint::kSetMessageFeedback));
  CHECK_FALSE(requires_user_token(Endpoint::kListConversationFeedback));
  CHECK(requires_user_token(Endpoint::kListBotFeedback));
  CHECK(match_route("POST", "/api/v1/usage/daily").kind == RouteMatch::Kind::kMethodNotAllowed);
  CHECK(is_upload_route("POST", "/api/v1/bots/b1/knowledge"));
  CHECK_FALSE(is_upload_route("POST", "/api/v1/bots"));
  // gwup: these routes never read a bearer token, so no revocation check before their body.
  for (auto e : {Endpoint::kRegister, Endpoint::kLogin, Endpoint::kRefresh, Endpoint::kLogout,
                 Endpoint::kListPlans}) {
    CHECK_FALSE(reads_bearer_token(e));
  }
  CHECK(reads_bearer_token(Endpoint::kAddKnowledge));
  CHECK(reads_bearer_token(Endpoint::kUploadAttachment));
  CHECK(reads_bearer_token(Endpoint::kCreateBot));
  CHECK(reads_bearer_token(Endpoint::kCreateWidgetSession));  // a renewal carries a token
}

TEST_CASE("request targets are split and percent-decoded") {
  auto t = parse_target("/api/v1/conversations/a%20b/messages?since_seq=5&x=a+b%21&flag");
  CHECK(t.ok);
  CHECK(t.path == "/api/v1/conversations/a b/messages");
  CHECK(t.query.at("since_seq") == "5");
  CHECK(t.query.at("x") == "a b!");
  CHECK(t.query.at("flag").empty());
  CHECK_FALSE(parse_target("/bad%zz").ok);
  CHECK_FALSE(parse_target("/bad%2").ok);
  CHECK_FALSE(parse_target("/api/v1/bots/x%00y").ok);          // control characters: refused
  CHECK_FALSE(parse_target("/api/v1/bots?limit=1%1B").ok);
  CHECK_FALSE(parse_target("/api/v1/bots?a%7F=1").ok);
  CHECK_FALSE(parse_target("/api/v1/bots/x%2Fknowledge").ok);  // an encoded / would split a segment
  CHECK_FALSE(parse_target("/api/v1/bots/x%2fknowledge").ok);
  CHECK(parse_target("/api/v1/bots?next=a%2Fb").ok);              // in the query it is data
  CHECK(bearer_token("Bearer abc.def") == "abc.def");
  CHECK(bearer_token("bearer  xyz ") == "xyz");
  CHECK(bearer_token("Basic abc").empty());
  CHECK(bearer_token("Bearer").empty());
}

TEST_CASE("a tagged refusal becomes its own REST error; anything else passes through") {
  const grpc::Status limit(grpc::StatusCode::FAILED_PRECONDITION, "canned_limit: at most 4 saved replies");
  try {
    refuse_if_tagged(limit, grpc::StatusCode::FAILED_PRECONDITION, "canned_limit", 409, "canned_limit");
    FAIL("a tagged refusal must throw");
  } catch (const ApiError& e) {
    CHECK(e.status() == 409);
    CHECK(e.code() == "canned_limit");
    CHECK(std::string(e.what()) == "at most 4 saved replies");
  }
  // Another code, another tag, a tag without ": ", a prefix of the tag, OK: no throw.
  CHECK_NOTHROW(refuse_if_tagged(limit, grpc::StatusCode::ALREADY_EXISTS, "canned_limit", 409, "x"));
  CHECK_NOTHROW(refuse_if_tagged(limit, grpc::StatusCode::FAILED_PRECONDITION, "webhook_limit", 409, "x"));
  CHECK_NOTHROW(refuse_if_tagged(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "canned_limitless"),
                                 grpc::StatusCode::FAILED_PRECONDITION, "canned_limit", 409, "x"));
  CHECK_NOTHROW(refuse_if_tagged(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "canned"),
                                 grpc::StatusCode::FAILED_PRECONDITION, "canned_limit", 409, "x"));
  CHECK_NOTHROW(refuse_if_tagged(grpc::Status::OK, grpc::StatusCode::OK, "canned_limit", 409, "x"));
}

TEST_CASE("gRPC statuses map to REST errors") {
  auto check_map = [](grpc::StatusCode code, int status, const char* name) {
    auto e = api_error_from_grpc(grpc::Status(code, "detail"));
    CHECK(e.status() == status);
    CHECK(e.code() == name);
  };
  check_map(grpc::StatusCode::INVALID_ARGUMENT, 400, "validation_failed");
  check_map(grpc::StatusCode::UNAUTHENTICATED, 401, "unauthorized");
  check_map(grpc::StatusCode::PERMISSION_DENIED, 403, "forbidden");
  check_map(grpc::StatusCode::NOT_FOUND, 404, "not_found");
  check_map(grpc::StatusCode::ALREADY_EXISTS, 409, "conflict");
  check_map(grpc::StatusCode::RESOURCE_EXHAUSTED, 402, "quota_exceeded");
  // A rate (channel-connector's VISITOR_MESSAGES_PER_MIN) is not a quota: 429 rate_limited
  // with Retry-After, from the retry hint rpc::throw_rate_limited attaches.
  try {
    botfactory::rpc::throw_rate_limited("retry in 5 s", 5);
  } catch (const botfactory::rpc::StatusError& e) {
    auto limited = api_error_from_grpc(e.status());
    CHECK(limited.status() == 429);
    CHECK(limited.code() == "rate_limited");
    CHECK(limited.retry_after_s() == 5);
    CHECK(std::string(limited.what()) == "retry in 5 s");
  }
  check_map(grpc::StatusCode::UNAVAILABLE, 503, "unavailable");
  check_map(grpc::StatusCode::DEADLINE_EXCEEDED, 503, "unavailable");
  check_map(grpc::StatusCode::INTERNAL, 500, "internal");
  CHECK(std::string(api_error_from_grpc(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                                     "name is too long"))
                        .what()) == "name is too long");
  // Internal details never reach the client.
  CHECK(std::string(api_error_from_grpc(grpc::Status(grpc::StatusCode::INTERNAL, "pg: boom"))
                        .what()) == "internal error");

  // A retry hint (rpc/retry_after.hpp) turns RESOURCE_EXHAUSTED into 429 and keeps the
  // service's message on 503, both with Retry-After.
  botfactory::common::v1::RetryInfo hint;
  hint.set_retry_after_s(4);
  auto throttled = api_error_from_grpc(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                                    "too many failed logins", hint.SerializeAsString()));
  CHECK(throttled.status() == 429);
  CHECK(throttled.code() == "rate_limited");
  CHECK(throttled.retry_after_s() == 4);
  auto busy = api_error_from_grpc(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "hashing busy", hint.SerializeAsString()));
  CHECK(busy.status() == 503);
  CHECK(std::string(busy.what()) == "hashing busy");
  CHECK(busy.retry_after_s() == 4);
  CHECK(api_error_from_grpc(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "quota")).retry_after_s() == 0);
  CHECK(api_error_from_grpc(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "q", "garbage")).status() == 402);

  auto response = error_response(404, "not_found", "no \"such\" bot");
  CHECK(response.status == 404);
  CHECK(response.content_type == "application/json");
  auto error = body_of(response).at("error").as_object();
  CHECK(error.at("code").as_string() == "not_found");
  CHECK(error.at("message").as_string() == "no \"such\" bot");
}

TEST_CASE("multipart/form-data bodies are parsed per RFC 7578") {
  CHECK(multipart_boundary("multipart/form-data; boundary=abc123") == "abc123");
  CHECK(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"") == "a b;c");
  CHECK_FALSE(multipart_boundary("application/json"));
  CHECK_FALSE(multipart_boundary("multipart/form-data"));
  CHECK_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));

  std::string body =
      "preamble\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"title\"\r\n"
      "\r\n"
      "Price list\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"prices \\\"2024\\\".md\"\r\n"
      "Content-Type: text/markdown\r\n"
      "\r\n"
      "# Prices\r\n\r\n--not-a-boundary\r\nTea: 2 EUR\r\n"
      "--XyZ--\r\n"
      "epilogue";
  auto parts = parse_multipart(body, "XyZ");
  REQUIRE(parts);
  REQUIRE(parts->size() == 2);
  CHECK((*parts)[0].name == "title");
  CHECK_FALSE((*parts)[0].filename);
  CHECK((*parts)[0].body == "Price list");
  CHECK((*parts)[1].name == "file");
  CHECK((*parts)[1].filename == "prices \"2024\".md");
  CHECK((*parts)[1].content_type == "text/markdown");
  CHECK((*parts)[1].body == "# Prices\r\n\r\n--not-a-boundary\r\nTea: 2 EUR");

  CHECK_FALSE(parse_multipart("no delimiter at all", "XyZ"));
  CHECK_FALSE(parse_multipart("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nbody",
                              "XyZ"));  // never closed
  CHECK_FALSE(parse_multipart("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", "XyZ"));
  auto empty = parse_multipart("--XyZ--\r\n", "XyZ");
  REQUIRE(empty);
  CHECK(empty->empty());
  CHECK(header_parameter("form-data; NAME=plain; x=1", "name") == "plain");
}

TEST_CASE("JSON shapes use snake_case, RFC 3339 UTC and lower-case enums") {
  registry::v1::Bot bot;
  bot.set_id("b1");
  bot.set_public_id("pb_1");
  bot.set_name("Helper");
  bot.set_language("ru");
  bot.mutable_provider()->set_provider("extractive");
  bot.mutable_provider()->set_temperature(0.5);
  bot.mutable_created_at()->set_seconds(1700000000);
  bot.mutable_created_at()->set_nanos(123000000);
  auto b = bot_json(bot);
  CHECK(b.at("public_id").as_string() == "pb_1");
  CHECK(b.at("provider").at("provider").as_string() == "extractive");
  CHECK(b.at("provider").at("temperature").as_double() == 0.5);
  CHECK(b.at("created_at").as_string() == "2023-11-14T22:13:20.123Z");
  CHECK(b.contains("updated_at"));
  CHECK_FALSE(b.contains("tenant_id"));

  chat::v1::Message message;
  message.set_seq(7);
  message.set_id("m7");
  message.set_text("hi");
  message.mutable_sender()->set_kind(common::v1::SENDER_KIND_OPERATOR);
  message.mutable_sender()->set_name("Olga");
  auto m = message_json(message);
  CHECK(m.at("seq").as_int64() == 7);
  CHECK(m.at("sender").at("kind").as_string() == "operator");
  CHECK(m.at("sender").at("name").as_string() == "Olga");
  CHECK_FALSE(m.contains("sources"));  // only replies with sources carry the key
  auto* source = message.add_sources();
  source->set_document_id("d1");
  source->set_document_title("FAQ");
  source->set_chunk_id("c3");
  CHECK(boost::json::serialize(message_json(message).at("sources")) ==
        R"([{"document_id":"d1","document_title":"FAQ","chunk_id":"c3"}])");

  billing::v1::Subscription subscription;
  subscription.set_status(billing::v1::SUBSCRIPTION_STATUS_TRIALING);
  subscription.mutable_plan()->set_code("trial");
  subscription.mutable_plan()->mutable_limits()->set_max_bots(1);
  subscription.mutable_plan()->mutable_limits()->set_max_replies_per_month(100);
  subscription.mutable_plan()->mutable_limits()->set_max_tokens_per_month(200000);
  subscription.mutable_usage()->set_bot_replies(3);
  subscription.mutable_usage()->set_model_tokens(4567);
  auto s = subscription_json(subscription);
  CHECK(s.at("status").as_string() == "trialing");
  CHECK(s.at("plan").at("limits").at("max_bots").as_int64() == 1);
  CHECK(s.at("plan").at("limits").at("max_tokens_per_month").as_int64() == 200000);
  CHECK(s.at("usage").at("bot_replies").as_int64() == 3);
  CHECK(s.at("usage").at("model_tokens").as_int64() == 4567);
  CHECK(s.at("quotas").at("bot_replies").at("used").as_int64() == 3);
  CHECK(s.at("quotas").at("bot_replies").at("limit").as_int64() == 100);
  CHECK(s.at("quotas").at("model_tokens").at("used").as_int64() == 4567);
  CHECK(s.at("quotas").at("model_tokens").at("limit").as_int64() == 200000);

  billing::v1::ListDailyUsageResponse daily;
  daily.set_first_day("2026-01-03");
  daily.set_last_day("2026-02-01");
  auto* day = daily.add_days();
  day->set_day("2026-01-31");
  day->set_bot_id("b1");
  day->set_replies(2);
  day->set_prompt_tokens(100);
  day->set_completion_tokens(20);
  auto u = daily_usage_json(30, daily);
  CHECK(u.at("days").as_int64() == 30);
  CHECK(u.at("first_day").as_string() == "2026-01-03");
  CHECK(u.at("last_day").as_string() == "2026-02-01");
  REQUIRE(u.at("usage").as_array().size() == 1);
  const auto& row = u.at("usage").as_array()[0];
  CHECK(row.at("day").as_string() == "2026-01-31");
  CHECK(row.at("bot_id").as_string() == "b1");
  CHECK(row.at("replies").as_int64() == 2);
  CHECK(row.at("prompt_tokens").as_int64() == 100);
  CHECK(row.at("completion_tokens").as_int64() == 20);
  CHECK(row.at("tokens").as_int64() == 120);

  registry::v1::Document document;
  document.set_format(registry::v1::DOCUMENT_FORMAT_MARKDOWN);
  document.set_size_bytes(10);
  CHECK(document_json(document).at("format").as_string() == "markdown");
  CHECK(document_format_from_filename("A.MD") == registry::v1::DOCUMENT_FORMAT_MARKDOWN);
  CHECK(document_format_from_filename("x.htm") == registry::v1::DOCUMENT_FORMAT_HTML);
  CHECK(document_format_from_filename("notes.txt") == registry::v1::DOCUMENT_FORMAT_TEXT);
  CHECK(document_format_from_filename("doc.PDF") == registry::v1::DOCUMENT_FORMAT_PDF);
  CHECK_FALSE(document_format_from_filename("doc.docx"));
  CHECK_FALSE(document_format_from_filename("README"));
  CHECK_FALSE(document_format_from_name("pdf"));  // JSON bodies cannot carry a PDF

  auth::v1::TokenPair pair;
  pair.set_access_token("a");
  pair.set_expires_in(900);
  auto p = token_pair_json(pair);
  CHECK(p.at("token_type").as_string() == "Bearer");
  CHECK(p.at("expires_in").as_int64() == 900);
}

TEST_CASE("string members: absent or null is nullopt / \"\", another type a 400 naming the field") {
  auto object = json::parse(R"({"a":"x","n":null,"i":7,"o":{},"e":""})").as_object();
  CHECK(optional_string_member(object, "a") == std::optional<std::string>("x"));
  CHECK(optional_string_member(object, "e") == std::optional<std::string>(""));
  CHECK_FALSE(optional_string_member(object, "n"));
  CHECK_FALSE(optional_string_member(object, "missing"));
  CHECK(string_member(object, "a") == "x");
  CHECK(string_member(object, "n").empty());
  CHECK(string_member(object, "missing").empty());
  for (const char* key : {"i", "o"}) {
    try {
      (void)string_member(object, key);
      FAIL("no error for " << key);
    } catch (const ApiError& e) {
      CHECK(e.status() == 400);
      CHECK(e.code() == "validation_failed");
      CHECK(std::string(e.what()) == std::string(key) + " must be a string");
    }
  }
  try {
    (void)optional_string_member(object, "i", "widget.i");
    FAIL("no error");
  } catch (const ApiError& e) {
    CHECK(std::string(e.what()) == "widget.i must be a string");  // the caller's name for it
  }
}

TEST_CASE("RestApi rejects bad input before calling any service") {
  Upstreams none;  // null stubs: any upstream call would crash the test
  jwt::TokenVerifier verifier("test-secret-test-secret-test-secret!", "botfactory");
  jwt::TokenSigner signer("test-secret-test-secret-test-secret!", "botfactory");
  RestApi api(none, verifier);

  HttpRequest request;
  request.method = "POST";
  request.path = "/api/v1/auth/login";
  request.body = "{\"email\": ";
  auto response = api.handle(request);
  CHECK(response.status == 400);
  CHECK(error_code_of(response) == "invalid_json");

  request.body = "[1,2]";
  CHECK(error_code_of(api.handle(request)) == "invalid_json");

  // Control characters in any string are refused before any service (or libpq) sees them.
  for (const char* body : {R"({"email":"a\u0000@b.c","password":"x"})",
                           R"({"email":"a@b.c","password":"x\u001b[2J"})",
                           R"({"email":"a@b.c","password":"x","extra":["ok","\u007f"]})",
                           "{\"email\":\"a@b.c\",\"password\":\"x\xC2\x85\"}"}) {
    INFO(body);
    request.body = body;
    response = api.handle(request);
    CHECK(response.status == 400);
    CHECK(error_code_of(response) == "invalid_argument");
  }
  request.body = R"({"email":"a\u0000@b.c","password":"x"})";
  CHECK(api.handle(request).body.find("`email` must not contain control characters") !=
        std::string::npos);
  request.path = "/api/v1/widget/pb_x/sessions";
  request.body = R"({"name":"Ann\u0000"})";
  CHECK(error_code_of(api.handle(request)) == "invalid_argument");
  request.path = "/api/v1/auth/login";

  request.method = "GET";
  request.path = "/api/v1/bots";
  request.body.clear();
  response = api.handle(request);
  CHECK(response.status == 401);
  CHECK(error_code_of(response) == "unauthorized");

  request.authorization = "Bearer not-a-jwt";
  CHECK(api.handle(request).status == 401);

  jwt::Claims expired;
  expired.subject = "u1";
  expired.tenant_id = "t1";
  request.authorization = "Bearer " + signer.sign(expired, std::chrono::seconds(60),
                                                  std::chrono::system_clock::now() -
                                                      std::chrono::hours(1));
  CHECK(api.handle(request).status == 401);

  jwt::Claims visitor;
  visitor.kind = jwt::TokenKind::kVisitor;
  visitor.subject = "v_1";
  visitor.tenant_id = "t1";
  visitor.bot_id = "b1";
  visitor.conversation_id = "c1";
  request.authorization = "Bearer " + signer.sign(visitor, std::chrono::seconds(60));
  response = api.handle(request);
  CHECK(response.status == 403);
  CHECK(error_code_of(response) == "forbidden");

  request.path = "/api/v1/conversations/c2/messages";
  CHECK(api.handle(request).status == 403);  // a visitor reads only its own conversation
  request.path = "/api/v1/conversations/c1/messages";
  request.query["since_seq"] = "-1";
  response = api.handle(request);
  CHECK(response.status == 400);
  CHECK(error_code_of(response) == "validation_failed");

  request.path = "/api/v1/nowhere";
  CHECK(api.handle(request).status == 404);
  request.method = "PUT";
  request.path = "/api/v1/bots";
  response = api.handle(request);
  CHECK(response.status == 405);
  CHECK(error_code_of(response) == "method_not_allowed");
  REQUIRE(response.headers.size() == 1);
  CHECK(response.headers[0].second == "POST, GET");

  CHECK(generated_guest_name().rfind("Guest ", 0) == 0);
  CHECK(generated_guest_name().size() == 10);
}

TEST_CASE("static files stay inside the web root") {
  namespace fs = std::filesystem;
  fs::path base = fs::temp_directory_path() / ("gw_static_" + common::random_base62(8));
  fs::create_directories(base / "root" / "assets");
  std::ofstream(base / "root" / "index.html") << "<h1>hi</h1>";
  std::ofstream(base / "root" / "assets" / "app.js") << "console.log(1)";
  std::ofstream(base / "secret.txt") << "secret";
  fs::create_symlink(base / "secret.txt", base / "root" / "link.txt");

  StaticFiles files(base / "root");
  auto index = files.serve("/");
  CHECK(index.status == 200);
  CHECK(index.body == "<h1>hi</h1>");
  CHECK(index.content_type == "text/html; charset=utf-8");
  auto js = files.serve("/assets/app.js");
  CHECK(js.status == 200);
  CHECK(js.content_type == "text/javascript; charset=utf-8");
  CHECK(files.serve("/../secret.txt").status == 404);
  CHECK(files.serve("/assets/../../secret.txt").status == 404);
  CHECK(files.serve("/link.txt").status == 404);  // symlink out of the root
  CHECK(files.serve("/missing.css").status == 404);
  CHECK(files.serve("/assets").status == 404);  // a directory without index.html
  CHECK(content_type_for("x.svg") == "image/svg+xml");
  CHECK(content_type_for("x.bin") == "application/octet-stream");
  fs::remove_all(base);
}

TEST_CASE("the dashboard's client-side routes get its index.html, missing assets stay 404") {
  namespace fs = std::filesystem;
  fs::path base = fs::temp_directory_path() / ("gw_spa_" + common::random_base62(8));
  fs::create_directories(base / "root" / "app" / "assets");
  std::ofstream(base / "root" / "index.html") << "chat";
  std::ofstream(base / "root" / "app" / "index.html") << "dashboard";
  std::ofstream(base / "root" / "app" / "assets" / "index-1.js") << "js";
  std::ofstream(base / "secret") << "secret";

  StaticFiles files(base / "root");
  for (const char* route : {"/app/", "/app", "/app/bots", "/app/bots/3f0c/knowledge", "/app/signin/"}) {
    auto r = files.serve(route);
    CAPTURE(route);
    CHECK(r.status == 200);
    CHECK(r.body == "dashboard");
    CHECK(r.content_type == "text/html; charset=utf-8");
  }
  CHECK(files.serve("/app/assets/index-1.js").body == "js");
  CHECK(files.serve("/app/assets/index-2.js").status == 404);  // a missing asset, not a route
  CHECK(files.serve("/app/favicon.ico").status == 404);
  CHECK(files.serve("/bots").status == 404);                    // outside the app: no fallback
  CHECK(files.serve("/").body == "chat");
  CHECK(files.serve("/app/../../secret").status == 404);
  CHECK(files.serve("/app/x/../../../secret").status == 404);

  StaticFiles no_spa(base / "root", 1 << 20, "");
  CHECK(no_spa.serve("/app/bots").status == 404);
  fs::remove_all(base);
}

TEST_CASE("token bucket allows a burst then the refill rate") {
  TokenBucket bucket(10, 3);
  auto t = std::chrono::steady_clock::time_point(std::chrono::seconds(100));
  CHECK(bucket.take(t));
  CHECK(bucket.take(t));
  CHECK(bucket.take(t));
  CHECK_FALSE(bucket.take(t));
  CHECK(bucket.take(t + std::chrono::milliseconds(100)));  // one token back after 100 ms
  CHECK_FALSE(bucket.take(t + std::chrono::milliseconds(100)));
  CHECK(bucket.take(t + std::chrono::seconds(10)));
}
