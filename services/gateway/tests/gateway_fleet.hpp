#pragma once
// What the gateway's integration tests share: gateway instances (port 0) on fake or real
// upstreams and the real test Redis, a one-shot HTTP client with a deadline (Beast requests or
// raw request heads) and a Beast WebSocket client with read deadlines. Included by
// gateway_pgtest.cpp, gateway_limits_pgtest.cpp, widget_origin_pgtest.cpp and
// ws_hostile_pgtest.cpp.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "botfactory/common/random.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "fake_upstreams.hpp"
#include "gateway.hpp"

namespace botfactory::gateway_test {

// The names every gateway integration test uses (visible through `using namespace gateway_test`).
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

using SettingsTweak = std::function<void(gateway::GatewaySettings&)>;

/// A scratch directory: web/index.html (a gateway web root) and secret.txt beside it, outside
/// the root (for path traversal tests). Removed at scope end.
struct WebRoot {
  fs::path base = fs::temp_directory_path() / ("gw_test_" + common::random_base62(8));

  WebRoot() {
    fs::create_directories(base / "web");
    std::ofstream(base / "web" / "index.html") << "<!doctype html><title>BotFactory</title>";
    std::ofstream(base / "secret.txt") << "secret";
  }
  ~WebRoot() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  WebRoot(const WebRoot&) = delete;
  WebRoot& operator=(const WebRoot&) = delete;
  std::string web() const { return (base / "web").string(); }
};

/// Settings of a test gateway: listens on 127.0.0.1:0, every upstream at `upstreams`
/// ("host:port"), the test Redis with keys under "`name`:" and client name `name`, the fakes'
/// JWT secret, web root `web`, 2 workers, 64 KiB request bodies.
inline gateway::GatewaySettings test_settings(const std::string& upstreams, const WebRoot& web,
                                              const std::string& name) {
  gateway::GatewaySettings s;
  s.http_listen = "127.0.0.1:0";
  s.auth_addr = s.subscription_addr = s.registry_addr = s.channel_addr = upstreams;
  s.redis_host = testenv::redis_host();
  s.redis_port = testenv::redis_port();
  s.jwt_secret = kJwtSecret;
  s.web_root = web.web();
  s.max_body_bytes = 64 * 1024;
  s.workers = 2;
  s.redis_key_prefix = name + ":";  // rate-limit counters of this gateway only
  s.redis_client_name = name;
  return s;
}

/// One gateway on test_settings(upstreams, ...) changed by `tweak`, started; stopped at scope
/// end. Does not wait for Redis.
struct Instance {
  WebRoot root;
  std::string name = "gwtest-" + common::random_base62(10);
  std::unique_ptr<gateway::Gateway> gateway;

  explicit Instance(const std::string& upstreams, const SettingsTweak& tweak = {}) {
    auto s = test_settings(upstreams, root, name);
    if (tweak) tweak(s);
    gateway = std::make_unique<gateway::Gateway>(s);
    gateway->start();
  }
  ~Instance() { gateway->stop(); }
  unsigned short port() const { return gateway->port(); }
};

/// The fakes plus two gateway replicas A and B (4 workers each) sharing them and the test
/// Redis; waits up to 5 s until both have connected to Redis.
struct Fleet {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  std::string name = "gwtest-" + common::random_base62(10);  // Redis client name prefix
  WebRoot root;
  std::unique_ptr<gateway::Gateway> a;
  std::unique_ptr<gateway::Gateway> b;

  explicit Fleet(const SettingsTweak& tweak = {}) {
    auto s = test_settings(fakes.address(), root, name);
    s.workers = 4;
    if (tweak) tweak(s);
    s.redis_client_name = name + "-a";
    a = std::make_unique<gateway::Gateway>(s);
    s.redis_client_name = name + "-b";
    b = std::make_unique<gateway::Gateway>(s);
    a->start();
    b->start();
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!(a->redis_connected() && b->redis_connected()) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    REQUIRE(a->redis_connected());
    REQUIRE(b->redis_connected());
  }

  ~Fleet() {
    a->stop();
    b->stop();
  }
};

struct HttpResult {
  int status = 0;  // 0: no response within the deadline (or the connection closed first)
  std::string body;
  http::response<http::string_body> raw;
  json::object json() const { return json::parse(body).as_object(); }
  std::string error_code() const { return std::string(json().at("error").at("code").as_string()); }
};

/// Writes `text` (request head and body bytes, sent as they are) on a fresh connection to
/// 127.0.0.1:`port` and reads one response, all within `deadline`. Makes no assertions, so it
/// may run on any thread; a write the server cuts short (it refused the body early) still
/// reads the answer.
inline HttpResult http_exchange(unsigned short port, const std::string& text,
                                std::chrono::milliseconds deadline = 10000ms) {
  net::io_context io;
  beast::tcp_stream stream(io);
  HttpResult result;
  beast::flat_buffer buffer;
  stream.expires_after(deadline);
  stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                       [&](beast::error_code ec) {
                         if (ec) return;
                         net::async_write(stream, net::buffer(text),
                                          [](beast::error_code, std::size_t) {});
                         http::async_read(stream, buffer, result.raw,
                                          [&](beast::error_code rec, std::size_t) {
                                            if (!rec) result.status = result.raw.result_int();
                                            stream.cancel();
                                          });
                       });
  io.run();
  result.body = result.raw.body();
  return result;
}

/// A raw HTTP/1.1 request head: `method target`, Host, `headers`, and a Content-Length of
/// `body_length` (also 0 on a POST) — the body is not part of it.
inline std::string request_head(const std::string& method, const std::string& target,
                                const std::vector<std::pair<std::string, std::string>>& headers = {},
                                std::size_t body_length = 0) {
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
  if (body_length > 0 || method == "POST") {
    text += "Content-Length: " + std::to_string(body_length) + "\r\n";
  }
  return text + "\r\n";
}

/// One HTTP/1.1 request on a fresh connection: `body` with `content_type` when not empty, a
/// Bearer `token` when not empty, extra `headers`. REQUIREs an answer within 10 s.
inline HttpResult http_call(unsigned short port, http::verb method, const std::string& target,
                            const std::string& body = {}, const std::string& token = {},
                            const std::string& content_type = "application/json",
                            const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) request.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  std::ostringstream text;
  text << request;
  auto result = http_exchange(port, text.str());
  INFO(http::to_string(method) << " " << target);
  REQUIRE(result.status != 0);
  return result;
}

/// A WebSocket client with deadlines on reads. Opens /ws?token=`token` (no query when empty),
/// sending an Origin header when `origin` is not empty; open() tells whether it opened.
class WsClient {
 public:
  WsClient(unsigned short port, const std::string& token, const std::string& origin = {})
      : ws_(io_) {
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    if (!origin.empty()) {
      ws_.set_option(websocket::stream_base::decorator(
          [origin](websocket::request_type& r) { r.set(http::field::origin, origin); }));
    }
    std::string target = token.empty() ? "/ws" : "/ws?token=" + token;
    websocket::response_type response;
    beast::error_code ec;
    ws_.handshake(response, "127.0.0.1", target, ec);
    status_ = response.result_int();
    open_ = !ec;
  }

  bool open() const { return open_; }
  int handshake_status() const { return status_; }

  void send(const std::string& text) {
    ws_.text(true);
    ws_.write(net::buffer(text));
  }
  void send_json(const json::object& object) { send(json::serialize(object)); }

  /// The next text frame, or nullopt with `*ec` set when the connection ended (or nothing came
  /// within `timeout`, then ec = timeout).
  std::optional<std::string> read(beast::error_code* ec = nullptr,
                                  std::chrono::milliseconds timeout = 5000ms) {
    beast::flat_buffer buffer;
    bool done = false;
    beast::error_code result;
    ws_.async_read(buffer, [&](beast::error_code e, std::size_t) {
      result = e;
      done = true;
    });
    io_.restart();
    io_.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(ws_).socket().cancel();
      io_.restart();
      io_.run();
      result = beast::error::timeout;
    }
    if (ec) *ec = result;
    if (result) return std::nullopt;
    return beast::buffers_to_string(buffer.data());
  }

  json::object read_json() {
    beast::error_code ec;
    auto text = read(&ec);
    INFO("read failed: " << ec.message());
    REQUIRE(text);
    return json::parse(*text).as_object();
  }

  /// Reads frames until one has `type`; the skipped ones are appended to `skipped`.
  json::object read_type(const std::string& type, std::vector<json::object>* skipped = nullptr) {
    for (int i = 0; i < 1000; ++i) {
      auto frame = read_json();
      if (frame.at("type").as_string() == type) return frame;
      if (skipped) skipped->push_back(frame);
    }
    FAIL("no " << type << " frame");
    return {};
  }

  /// Sends a ping frame and expects the pong as the very next frame: nothing else was queued.
  void expect_nothing_pending() {
    send(R"({"type":"ping"})");
    auto frame = read_json();
    CHECK(frame.at("type").as_string() == "pong");
  }

  json::object join(const std::string& conversation_id, std::int64_t since_seq) {
    send_json({{"type", "conversation.join"},
               {"conversation_id", conversation_id},
               {"since_seq", since_seq}});
    return read_json();
  }

  websocket::close_reason close_reason() const { return ws_.reason(); }

  void close() {
    beast::error_code ec;
    ws_.close(websocket::close_code::normal, ec);
  }

 private:
  net::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  int status_ = 0;
  bool open_ = false;
};

/// A visitor session of the fake widget kPublicId.
struct Session {
  std::string token;
  std::string conversation_id;
  std::string visitor_name;
};

/// Opens a visitor session (POST /api/v1/widget/{kPublicId}/sessions with `body`) and REQUIREs
/// a 201 open to any origin.
inline Session widget_session(unsigned short port, const std::string& body = R"({"name":"Ann"})") {
  auto result = http_call(port, http::verb::post, "/api/v1/widget/" + std::string(kPublicId) +
                                                      "/sessions",
                          body);
  REQUIRE(result.status == 201);
  CHECK(result.raw[http::field::access_control_allow_origin] == "*");
  auto o = result.json();
  return {std::string(o.at("token").as_string()), std::string(o.at("conversation_id").as_string()),
          std::string(o.at("visitor").at("name").as_string())};
}

/// A 10-minute access token of the fake user kUserId in `tenant`, signed with the fakes' key.
inline std::string user_token(const FakeUpstreams& fakes, const std::string& tenant) {
  jwt::Claims claims;
  claims.subject = kUserId;
  claims.tenant_id = tenant;
  return fakes.signer().sign(claims, std::chrono::seconds(600));
}

/// A 10-minute user token of `tenant` with team role `role` ("" = a pre-team owner token;
/// subject "u-<role>", "u-legacy" for ""), signed with the fakes' key.
inline std::string role_token(const FakeUpstreams& fakes, const std::string& tenant,
                              const std::string& role) {
  jwt::Claims claims;
  claims.subject = "u-" + (role.empty() ? std::string("legacy") : role);
  claims.tenant_id = tenant;
  claims.role = role;
  return fakes.signer().sign(claims, std::chrono::seconds(600));
}

/// A 10-minute visitor token named "Ann" of `tenant` for `bot` and `conversation` (random
/// UUIDs when empty: a visitor of some other conversation), signed with the fakes' key.
inline std::string visitor_token(const FakeUpstreams& fakes, const std::string& tenant,
                                 const std::string& bot = {}, const std::string& conversation = {}) {
  jwt::Claims claims;
  claims.kind = jwt::TokenKind::kVisitor;
  claims.subject = "v_" + common::random_base62(8);
  claims.tenant_id = tenant;
  claims.bot_id = bot.empty() ? common::random_uuid() : bot;
  claims.conversation_id = conversation.empty() ? common::random_uuid() : conversation;
  claims.name = "Ann";
  return fakes.signer().sign(claims, std::chrono::seconds(600));
}

/// The "seq" of a message frame.
inline std::int64_t seq_of(const json::object& frame) { return frame.at("seq").as_int64(); }

/// The next `error` or `message.ack` frame of `ws` (message.new and the like skipped).
inline json::object next_answer(WsClient& ws) {
  for (int i = 0; i < 1000; ++i) {
    auto frame = ws.read_json();
    auto type = frame.at("type").as_string();
    if (type == "error" || type == "message.ack") return frame;
  }
  FAIL("no answer");
  return {};
}

/// A visitor socket of a fresh widget session of `port`, joined to its conversation.
inline std::pair<std::unique_ptr<WsClient>, std::string> joined_visitor(unsigned short port) {
  auto session = widget_session(port);
  auto ws = std::make_unique<WsClient>(port, session.token);
  REQUIRE(ws->open());
  ws->send_json({{"type", "conversation.join"},
                 {"conversation_id", session.conversation_id},
                 {"since_seq", 0}});
  ws->read_type("conversation.joined");
  return {std::move(ws), session.conversation_id};
}

}  // namespace botfactory::gateway_test
