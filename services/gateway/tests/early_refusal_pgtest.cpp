// Requests the gateway refuses from their header, over real sockets (gateway in this process on
// port 0, fake upstreams, the real test Redis):
// - a revoked user token is 401 token_revoked before one byte of the body is read, on the
//   upload routes and every other route that reads the token (http_server.cpp on_header);
// - lingering close (HTTP_LINGER_MAX_BYTES, HTTP_LINGER_MS; RFC 9112 section 9.6): a client that
//   writes its whole refused body before reading gets the complete 413, and a client that keeps
//   sending is cut off at the byte bound or the time bound.
// gwleft:
// - a missing or invalid token is 401 unauthorized (the handler's answer) before the body is
//   read, on every route that needs a token; public routes still read their body;
// - the 503 of a connection over MAX_CONNECTIONS_PER_IP is followed by a lingering close, at
//   most HTTP_LINGER_REFUSALS at once, and a lingering refusal holds no connection slot;
// - a Content-Length over every route's limit is logged with its method and path.
// harden:
// - a visitor token on a route for users only is 403 forbidden (the handler's answer) before
//   the body is read;
// - the head is judged on the route the router sees: a percent-encoded fixed part
//   ("/api/v1/%62ots") is the same route, a malformed escape is 400 before the body.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <spdlog/sinks/ringbuffer_sink.h>

#include "botfactory/metrics/registry.hpp"
#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/redis/revocation_keys.hpp"
#include "botfactory/common/logging.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

namespace {

using Clock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A 10-minute user token of `user` in kTenant, signed with the fakes' key.
std::string token_of(const FakeUpstreams& fakes, const std::string& user) {
  jwt::Claims claims;
  claims.subject = user;
  claims.tenant_id = kTenant;
  return fakes.signer().sign(claims, std::chrono::seconds(600));
}

std::uint64_t counter(const std::string& name, const std::string& labels = {}) {
  return metrics::Registry::global().counter(name, "", labels).value();
}

/// A blocking-free client socket to 127.0.0.1:`port` with a small send buffer (64 KiB, so
/// that the kernel cannot take a multi-MiB body the server does not read: the writer has to
/// wait for the server, as a browser on a real network does).
struct RawClient {
  net::io_context io;
  tcp::socket socket{io};

  explicit RawClient(unsigned short port) {
    socket.open(tcp::v4());
    socket.set_option(net::socket_base::send_buffer_size(64 * 1024));
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    socket.non_blocking(true);
  }

  /// Writes all of `data` before `deadline`, polling; the error that stopped it (none: all
  /// written; timeout: the deadline passed). `*written` counts the bytes the kernel took.
  beast::error_code write_all(std::string_view data, Clock::time_point deadline,
                              std::size_t* written = nullptr) {
    std::size_t done = 0;
    beast::error_code ec;
    while (done < data.size()) {
      done += socket.write_some(net::buffer(data.substr(done)), ec);
      if (written) *written = done;
      if (ec == net::error::would_block || ec == net::error::try_again) {
        if (Clock::now() > deadline) return beast::error::timeout;
        std::this_thread::sleep_for(1ms);
        ec = {};
        continue;
      }
      if (ec) return ec;
    }
    return ec;
  }

  /// Everything the server sends until it closes (or an error, or `deadline`).
  std::string read_all(Clock::time_point deadline) {
    std::string text;
    char chunk[16384];
    for (;;) {
      beast::error_code ec;
      auto n = socket.read_some(net::buffer(chunk), ec);
      text.append(chunk, n);
      if (ec == net::error::would_block || ec == net::error::try_again) {
        if (Clock::now() > deadline) break;
        std::this_thread::sleep_for(1ms);
        continue;
      }
      if (ec) break;  // eof, or a reset
    }
    return text;
  }
};

/// Parses one HTTP response out of `text`; status 0 when it is not complete.
HttpResult parse_response(const std::string& text) {
  HttpResult result;
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  beast::error_code ec;
  parser.put(net::buffer(text), ec);
  if (ec || !parser.is_done()) return result;
  result.raw = parser.release();
  result.status = result.raw.result_int();
  result.body = result.raw.body();
  return result;
}

/// A POST /api/v1/bots head declaring `length` body bytes: over the test gateway's 64 KiB
/// MAX_BODY_BYTES, so refused with 413 from the header.
std::string oversized_head(std::size_t length) {
  return request_head("POST", "/api/v1/bots", {{"Content-Type", "application/json"}}, length);
}

/// One round as a browser sends a refused request: the oversized head of `body_bytes` and the
/// whole body first (REQUIREs the server to take every byte: without lingering close the writes
/// fail with EPIPE / ECONNRESET), then everything the server answers until it closes; all within
/// 20 s. The parsed answer (status 0 when incomplete).
HttpResult write_whole_body_then_read(unsigned short port, std::size_t body_bytes) {
  RawClient client(port);
  auto deadline = Clock::now() + 20s;
  auto ec = client.write_all(oversized_head(body_bytes) + std::string(body_bytes, 'x'), deadline);
  INFO("write: " << ec.message());
  REQUIRE_FALSE(ec);
  return parse_response(client.read_all(deadline));
}

/// Sends an oversized head, then body bytes in 16 KiB writes for as long as the server takes
/// them; true when the server cut the connection (a write or read failed) within `wait`.
bool cut_off_within(unsigned short port, std::chrono::milliseconds wait, std::size_t* sent) {
  RawClient client(port);
  auto deadline = Clock::now() + wait;
  if (client.write_all(oversized_head(1ULL << 40), deadline)) return false;
  std::string chunk(16384, 'x');
  *sent = 0;
  while (Clock::now() < deadline) {
    std::size_t n = 0;
    auto ec = client.write_all(chunk, deadline, &n);
    *sent += n;
    if (ec == beast::error::timeout) return false;
    if (ec) return true;  // reset / broken pipe: the server closed
    std::this_thread::sleep_for(2ms);  // a slow, steady sender
  }
  return false;
}

}  // namespace

TEST_CASE("a revoked token is refused with 401 token_revoked before the body is read") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes.address());
  auto port = g.port();
  auto revoked = token_of(fakes, kUserId);
  redis::BlockingClient redis_client(testenv::redis_host(), testenv::redis_port());
  // auth's record: tokens of kUserId signed before now + 1 ms are void.
  REQUIRE(redis_client.command({"SET", redis::user_revoked_key(g.name + ":", kUserId),
                                std::to_string(unix_ms_now() + 1)}));

  struct Case {
    std::string target;
    std::string content_type;
    std::size_t declared;  // under the route's limit; never sent
  };
  const std::vector<Case> cases = {
      {"/api/v1/bots/b1/knowledge", "multipart/form-data; boundary=B", 8 * 1000 * 1000},
      {"/api/v1/conversations/c1/attachments", "multipart/form-data; boundary=B", 5 * 1000 * 1000},
      {"/api/v1/bots", "application/json", 60 * 1000},
      {"/api/v1/rooms/r1/messages", "application/json", 1000},
  };
  for (const auto& c : cases) {
    for (bool expect_continue : {false, true}) {
      INFO(c.target << (expect_continue ? " with Expect: 100-continue" : ""));
      Headers headers = {{"Content-Type", c.content_type}, {"Authorization", "Bearer " + revoked}};
      if (expect_continue) headers.emplace_back("Expect", "100-continue");
      // Only the head goes out: an answer proves the body was not waited for.
      auto r = http_exchange(port, request_head("POST", c.target, headers, c.declared), 5000ms);
      REQUIRE(r.status == 401);
      CHECK(r.error_code() == "token_revoked");
      CHECK(r.raw[http::field::connection] == "close");
      CHECK(r.raw[http::field::access_control_allow_origin] == "*");  // readable by the browser
    }
  }
  // Another user's token is not revoked: the gateway waits for the body (no answer to a head).
  auto valid = token_of(fakes, "u-not-revoked");
  auto r = http_exchange(port,
                         request_head("POST", "/api/v1/bots/b1/knowledge",
                                      {{"Content-Type", "application/json"},
                                       {"Authorization", "Bearer " + valid}},
                                      100),
                         500ms);
  CHECK(r.status == 0);
  // Routes that never read the token are not refused for it (login: the body is read).
  std::string login = R"({"email":"a@example.com","password":"x"})";
  r = http_exchange(port, request_head("POST", "/api/v1/auth/login",
                                       {{"Content-Type", "application/json"},
                                        {"Authorization", "Bearer " + revoked}},
                                       login.size()) + login);
  REQUIRE(r.status != 0);
  if (r.status >= 400) CHECK(r.error_code() != "token_revoked");
}

TEST_CASE("lingering close: a client that writes its whole refused body still reads the 413") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  // HTTP_LINGER_MAX_BYTES 8 MiB > the body below; HTTP_LINGER_MS 10 s ≫ writing 3 MiB locally.
  Instance g(fakes.address(), [](gateway::GatewaySettings& s) {
    s.http_linger_max_bytes = 8 << 20;
    s.http_linger = 10000ms;
  });
  const std::size_t body_bytes = 3 << 20;  // 3 MiB ≫ the client's 64 KiB send buffer
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    auto r = write_whole_body_then_read(g.port(), body_bytes);
    REQUIRE(r.status == 413);
    CHECK(r.error_code() == "payload_too_large");
    CHECK(r.raw[http::field::connection] == "close");
  }
}

TEST_CASE("lingering close is bounded: a client that keeps sending is cut off") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  SECTION("at HTTP_LINGER_MAX_BYTES") {
    // The time bound (60 s) is far beyond the wait: only the byte bound can end it.
    Instance g(fakes.address(), [](gateway::GatewaySettings& s) {
      s.http_linger_max_bytes = 256 * 1024;
      s.http_linger = 60000ms;
    });
    auto before = counter("gateway_http_linger_cutoffs_total", R"(bound="bytes")");
    std::size_t sent = 0;
    CHECK(cut_off_within(g.port(), 20000ms, &sent));
    CHECK(sent < (64u << 20));  // the bound plus what kernel buffers hold, far below 64 MiB
    CHECK(counter("gateway_http_linger_cutoffs_total", R"(bound="bytes")") == before + 1);
  }
  SECTION("at HTTP_LINGER_MS") {
    // A byte bound no slow sender reaches: only the time bound (300 ms) can end it.
    Instance g(fakes.address(), [](gateway::GatewaySettings& s) {
      s.http_linger_max_bytes = 1 << 30;
      s.http_linger = 300ms;
    });
    auto before = counter("gateway_http_linger_cutoffs_total", R"(bound="time")");
    std::size_t sent = 0;
    CHECK(cut_off_within(g.port(), 20000ms, &sent));
    CHECK(counter("gateway_http_linger_cutoffs_total", R"(bound="time")") == before + 1);
  }
  SECTION("HTTP_LINGER_MAX_BYTES=0 closes at once") {
    Instance g(fakes.address(), [](gateway::GatewaySettings& s) { s.http_linger_max_bytes = 0; });
    auto lingering = counter("gateway_http_lingering_closes_total");
    std::size_t sent = 0;
    CHECK(cut_off_within(g.port(), 20000ms, &sent));
    CHECK(counter("gateway_http_lingering_closes_total") == lingering);
  }
}

TEST_CASE("a missing or invalid token is refused with 401 unauthorized before the body is read") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes.address());
  auto port = g.port();
  jwt::Claims user;
  user.subject = kUserId;
  user.tenant_id = kTenant;
  jwt::Claims scopeless_visitor = user;  // a visitor token needs its bot and conversation
  scopeless_visitor.kind = jwt::TokenKind::kVisitor;
  const std::vector<std::pair<std::string, std::string>> tokens = {
      {"none", ""},
      {"not bearer", "Basic dXNlcjpwYXNz"},
      {"forged", "Bearer forged.token.here"},
      {"expired", "Bearer " + fakes.signer().sign(user, std::chrono::seconds(60),
                                                  std::chrono::system_clock::now() - 1h)},
      {"other issuer", "Bearer " + jwt::TokenSigner(kJwtSecret, "someone-else").sign(user, 600s)},
      {"other key", "Bearer " + jwt::TokenSigner(std::string(kJwtSecret) + "x", "botfactory").sign(user, 600s)},
      {"wrong kind", "Bearer " + fakes.signer().sign(scopeless_visitor, 600s)},
  };
  struct Route {
    std::string method;
    std::string target;
    std::size_t declared;  // under the route's limit; never sent
  };
  const std::vector<Route> routes = {
      {"POST", "/api/v1/bots", 60 * 1000},
      {"PATCH", "/api/v1/bots/b1", 1000},
      {"POST", "/api/v1/rooms/r1/messages", 1000},
      {"POST", "/api/v1/team/invites", 1000},
      {"PUT", "/api/v1/provider-keys/openai", 1000},
      {"POST", "/api/v1/bots/b1/knowledge", 8 * 1000 * 1000},
      {"POST", "/api/v1/conversations/c1/attachments", 5 * 1000 * 1000},
  };
  for (const auto& [name, authorization] : tokens) {
    Headers auth;
    if (!authorization.empty()) auth.emplace_back("Authorization", authorization);
    // The handler's answer for this token, on a route without a body.
    auto handler = http_exchange(port, request_head("GET", "/api/v1/bots", auth), 5000ms);
    INFO("token: " << name << " (handler: " << handler.status << " " << handler.body << ")");
    REQUIRE(handler.status == 401);
    for (const auto& route : routes) {
      for (bool expect_continue : {false, true}) {
        INFO(route.method << " " << route.target << (expect_continue ? " with Expect: 100-continue" : ""));
        Headers headers = auth;
        headers.emplace_back("Content-Type", "application/json");
        if (expect_continue) headers.emplace_back("Expect", "100-continue");
        // Only the head goes out: an answer proves the body was not waited for.
        auto r = http_exchange(port, request_head(route.method, route.target, headers, route.declared), 5000ms);
        REQUIRE(r.status == 401);
        CHECK(r.body == handler.body);  // same code and message as the handler's
        CHECK(r.error_code() == "unauthorized");
        CHECK(r.raw[http::field::connection] == "close");
        CHECK(r.raw[http::field::access_control_allow_origin] == "*");
      }
    }
  }
  // A valid token: the gateway waits for the body (no answer to a head alone) ...
  Headers valid = {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + user_token(fakes, kTenant)}};
  CHECK(http_exchange(port, request_head("POST", "/api/v1/bots", valid, 100), 500ms).status == 0);
  // ... and so do the public routes with a bad token: sign-up, login, refresh, logout, widget
  // sessions (a token there is optional) and the webhooks (their own secret).
  Headers forged = {{"Content-Type", "application/json"}, {"Authorization", "Bearer forged.token.here"},
                    {"X-Telegram-Bot-Api-Secret-Token", "s"}, {"X-Hub-Signature-256", "sha256=00"}};
  const std::vector<std::string> public_routes = {
      "/api/v1/users", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout",
      "/api/v1/widget/" + std::string(kPublicId) + "/sessions", "/webhooks/telegram/ch1",
      "/webhooks/whatsapp/ch1"};
  for (const auto& target : public_routes) {
    INFO(target);
    CHECK(http_exchange(port, request_head("POST", target, forged, 100), 500ms).status == 0);
  }
}

namespace {

/// Connects to 127.0.0.1:`port` and waits until the gateway took the connection (a /healthz
/// answered on it): the socket then holds a connection slot.
std::unique_ptr<tcp::socket> held_connection(net::io_context& io, unsigned short port) {
  auto socket = std::make_unique<tcp::socket>(io);
  socket->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  net::write(*socket, net::buffer(request_head("GET", "/healthz")));
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(*socket, buffer, response);
  REQUIRE(response.result_int() == 200);
  return socket;
}

}  // namespace

TEST_CASE("a connection over the cap reads its 503 while it sends its body; lingering refusals are bounded") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  const std::size_t body_bytes = 3 << 20;  // 3 MiB ≫ the client's 64 KiB send buffer
  SECTION("the 503 at accept lingers") {
    Instance g(fakes.address(), [](gateway::GatewaySettings& s) {
      s.max_connections_per_ip = 1;
      s.http_linger_max_bytes = 8 << 20;
      s.http_linger = 10000ms;
    });
    net::io_context io;
    auto held = held_connection(io, g.port());
    for (int round = 0; round < 3; ++round) {
      INFO("round " << round);
      auto lingering = counter("gateway_http_lingering_closes_total");
      auto r = write_whole_body_then_read(g.port(), body_bytes);
      REQUIRE(r.status == 503);
      CHECK(r.error_code() == "unavailable");
      CHECK(r.raw[http::field::connection] == "close");
      CHECK(counter("gateway_http_lingering_closes_total") == lingering + 1);
    }
  }
  SECTION("at most HTTP_LINGER_REFUSALS linger, and they hold no connection slot") {
    Instance g(fakes.address(), [](gateway::GatewaySettings& s) {
      s.max_connections_per_ip = 1;
      s.http_linger_refusals = 1;
      s.http_linger = 60000ms;  // the first refusal lingers for the whole test
    });
    net::io_context io;
    auto held = held_connection(io, g.port());
    auto lingering = counter("gateway_http_lingering_closes_total");
    RawClient first(g.port());  // refused; lingers: reads its 503 and the gateway's FIN
    auto r = parse_response(first.read_all(Clock::now() + 10s));
    REQUIRE(r.status == 503);
    REQUIRE(counter("gateway_http_lingering_closes_total") == lingering + 1);
    // The second refusal finds the one lingering place taken: closed at once, its body refused.
    RawClient second(g.port());
    auto ec = second.write_all(oversized_head(body_bytes) + std::string(body_bytes, 'x'), Clock::now() + 20s);
    CHECK(ec);
    CHECK(ec != beast::error::timeout);
    CHECK(counter("gateway_http_lingering_closes_total") == lingering + 1);
    // The lingering refusal holds no slot: with the held connection gone a new one is served
    // while the first refusal still lingers.
    held.reset();
    HttpResult health;
    for (int i = 0; i < 100 && health.status != 200; ++i) {
      health = http_exchange(g.port(), request_head("GET", "/healthz"), 2000ms);
      if (health.status != 200) std::this_thread::sleep_for(50ms);
    }
    CHECK(health.status == 200);
  }
}

TEST_CASE("a Content-Length over every route's limit is logged with its method and path") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
  auto http_log = common::logger("http");
  http_log->sinks().push_back(sink);
  {
    Instance g(fakes.address());
    // Over the parser's limit (the largest route limit): refused before a route is chosen.
    auto r = http_exchange(g.port(),
                           request_head("POST", "/api/v1/bots?draft=1",
                                        {{"Content-Type", "application/json"}, {"X-Request-Id", "over-every-limit"}},
                                        1ULL << 40),
                           5000ms);
    REQUIRE(r.status == 413);
    CHECK(r.error_code() == "payload_too_large");
    CHECK(r.raw["X-Request-Id"] == "over-every-limit");
  }
  http_log->sinks().pop_back();
  std::string line;
  for (const auto& text : sink->last_formatted()) {
    if (text.find("request_id=over-every-limit") != std::string::npos) line = text;
  }
  INFO(line);
  CHECK(line.find("method=POST path=/api/v1/bots status=413") != std::string::npos);
}

TEST_CASE("a visitor token on a route for users only is refused with 403 before the body is read") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes.address());
  auto port = g.port();
  auto visitor = widget_session(port);
  Headers auth = {{"Authorization", "Bearer " + visitor.token}, {"Content-Type", "application/json"}};
  struct Route {
    std::string method;
    std::string target;
    std::size_t declared;  // under the route's limit; never sent
  };
  // Every route with a body that serves user tokens only (requires_user_token()).
  const std::vector<Route> user_only = {
      {"POST", "/api/v1/subscriptions", 1000},
      {"POST", "/api/v1/bots", 60 * 1000},
      {"PATCH", "/api/v1/bots/b1", 1000},
      {"POST", "/api/v1/bots/b1/knowledge", 8 * 1000 * 1000},
      {"POST", "/api/v1/conversations/c1/takeover", 10},
      {"POST", "/api/v1/conversations/c1/handback", 10},
      {"POST", "/api/v1/conversations/c1/read", 10},
      {"PUT", "/api/v1/provider-keys/openai", 1000},
      {"POST", "/api/v1/bots/b1/channels", 1000},
      {"POST", "/api/v1/bots/b1/channels/ch1/deliveries/replay", 1000},
      {"PUT", "/api/v1/e2ee/devices/d1", 1000},
      {"POST", "/api/v1/rooms/r1/e2ee/keys", 1000},
      {"POST", "/api/v1/team/invites", 1000},
      {"PATCH", "/api/v1/team/members/m1", 1000},
      {"POST", "/api/v1/bots/b1/unanswered/dismiss", 1000},
      {"POST", "/api/v1/canned-responses", 1000},
      {"PATCH", "/api/v1/canned-responses/k1", 1000},
      {"POST", "/api/v1/webhook-endpoints", 1000},  // hooks
      {"PATCH", "/api/v1/webhook-endpoints/w1", 1000},
  };
  for (const auto& route : user_only) {
    // The handler's answer: the same request with an empty body (nothing to wait for, so the
    // handler answers).
    auto handler = http_exchange(port, request_head(route.method, route.target, auth, 0), 5000ms);
    INFO(route.method << " " << route.target << " (handler: " << handler.status << " " << handler.body << ")");
    REQUIRE(handler.status == 403);
    for (bool expect_continue : {false, true}) {
      INFO((expect_continue ? "with" : "without") << " Expect: 100-continue");
      Headers headers = auth;
      if (expect_continue) headers.emplace_back("Expect", "100-continue");
      // Only the head goes out: an answer proves the body was not waited for.
      auto r = http_exchange(port, request_head(route.method, route.target, headers, route.declared), 5000ms);
      REQUIRE(r.status == 403);
      CHECK(r.body == handler.body);  // same code and message as the handler's
      CHECK(r.error_code() == "forbidden");
      CHECK(r.raw[http::field::connection] == "close");
      CHECK(r.raw[http::field::access_control_allow_origin] == "*");
    }
  }
  // Routes a visitor may use: the gateway waits for the body (no answer to a head alone).
  const std::vector<std::string> visitor_routes = {
      "/api/v1/rooms/r1/messages", "/api/v1/conversations/" + visitor.conversation_id + "/attachments",
      "/api/v1/widget/" + std::string(kPublicId) + "/sessions"};
  for (const auto& target : visitor_routes) {
    INFO(target);
    CHECK(http_exchange(port, request_head("POST", target, auth, 100), 500ms).status == 0);
  }
}

TEST_CASE("the head is judged on the decoded route: encoded fixed parts, malformed escapes") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes.address());
  auto port = g.port();
  Headers json = {{"Content-Type", "application/json"}};
  // No token on "/api/v1/%62ots" (the router's "/api/v1/bots"): the 401 comes from the head.
  const std::vector<std::pair<std::string, std::string>> encoded = {
      {"POST", "/api/v1/%62ots"}, {"PATCH", "/api/v1/%62%6F%74%73/b1"},
      {"POST", "/%61pi/v1/team/invites"}, {"POST", "/api/v1/bots/b1/%6Bnowledge"}};
  for (const auto& [method, target] : encoded) {
    INFO(method << " " << target);
    auto r = http_exchange(port, request_head(method, target, json, 1000), 5000ms);
    REQUIRE(r.status == 401);
    CHECK(r.error_code() == "unauthorized");
    CHECK(r.raw[http::field::connection] == "close");
  }
  // A valid token on the encoded upload route: the upload's body limit applies (8 MB is under
  // MAX_UPLOAD_BYTES; the raw path would have had MAX_BODY_BYTES, 64 KiB: 413 from the head) and
  // the gateway waits for the body.
  Headers user = {{"Content-Type", "multipart/form-data; boundary=B"},
                  {"Authorization", "Bearer " + user_token(fakes, kTenant)}};
  CHECK(http_exchange(port, request_head("POST", "/api/v1/bots/b1/%6bnowledge", user, 8 * 1000 * 1000), 500ms)
            .status == 0);
  // A malformed escape or an encoded '/' or NUL: the handler's 400, from the head.
  for (std::string target : {"/api/v1/bots/%zz", "/api/v1/bots/b1%2Fknowledge", "/api/v1/bots/%00",
                             "/api/v1/bots?name=%"}) {
    INFO(target);
    auto handler = http_exchange(port, request_head("GET", target, user), 5000ms);
    REQUIRE(handler.status == 400);
    auto r = http_exchange(port, request_head("POST", target, user, 1000), 5000ms);
    REQUIRE(r.status == 400);
    CHECK(r.body == handler.body);
    CHECK(r.error_code() == "bad_request");
    CHECK(r.raw[http::field::connection] == "close");
  }
}
