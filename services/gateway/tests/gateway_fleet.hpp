#pragma once
// What the gateway's integration tests share: two gateway replicas (port 0) on fake upstreams
// and the real test Redis, a one-shot HTTP client and a Beast WebSocket client with read
// deadlines. Included by gateway_pgtest.cpp and ws_hostile_pgtest.cpp.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "botfactory/common/random.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "fake_upstreams.hpp"
#include "gateway.hpp"

namespace botfactory::gateway_test {

namespace fleet_detail {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

/// The fakes plus two gateway replicas A and B sharing them and the test Redis.
struct Fleet {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  std::string name = "gwtest-" + common::random_base62(10);  // Redis client name prefix
  fs::path base = fs::temp_directory_path() / ("gw_fleet_" + common::random_base62(8));
  std::unique_ptr<gateway::Gateway> a;
  std::unique_ptr<gateway::Gateway> b;

  explicit Fleet(const std::function<void(gateway::GatewaySettings&)>& tweak = {}) {
    fs::create_directories(base / "web");
    std::ofstream(base / "web" / "index.html") << "<!doctype html><title>BotFactory</title>";
    std::ofstream(base / "secret.txt") << "secret";
    gateway::GatewaySettings s;
    s.http_listen = "127.0.0.1:0";
    s.auth_addr = s.subscription_addr = s.registry_addr = s.channel_addr = fakes.address();
    s.redis_host = testenv::redis_host();
    s.redis_port = testenv::redis_port();
    s.jwt_secret = kJwtSecret;
    s.web_root = (base / "web").string();
    s.max_body_bytes = 64 * 1024;
    s.workers = 4;
    s.redis_key_prefix = name + ":";  // rate-limit counters of this fleet only
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
    std::error_code ec;
    fs::remove_all(base, ec);
  }
};

struct HttpResult {
  int status = 0;
  std::string body;
  http::response<http::string_body> raw;
  json::object json() const { return json::parse(body).as_object(); }
  std::string error_code() const { return std::string(json().at("error").at("code").as_string()); }
};

/// One HTTP/1.1 request on a fresh connection (synchronous; the server always answers).
inline HttpResult http_call(unsigned short port, http::verb method, const std::string& target,
                     const std::string& body = {}, const std::string& token = {},
                     const std::string& content_type = "application/json",
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) request.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  beast::error_code ec;
  http::write(socket, request, ec);  // may fail when the server refuses the body early
  beast::flat_buffer buffer;
  HttpResult result;
  http::read(socket, buffer, result.raw, ec);
  REQUIRE_FALSE(ec);
  result.status = result.raw.result_int();
  result.body = result.raw.body();
  return result;
}

/// A WebSocket client with deadlines on reads.
class WsClient {
 public:
  WsClient(unsigned short port, const std::string& token) : ws_(io_) {
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
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

struct Session {
  std::string token;
  std::string conversation_id;
  std::string visitor_name;
};

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

inline std::string user_token(const FakeUpstreams& fakes, const std::string& tenant) {
  jwt::Claims claims;
  claims.subject = kUserId;
  claims.tenant_id = tenant;
  return fakes.signer().sign(claims, std::chrono::seconds(600));
}

inline std::int64_t seq_of(const json::object& frame) { return frame.at("seq").as_int64(); }


}  // namespace fleet_detail

using fleet_detail::Fleet;
using fleet_detail::http_call;
using fleet_detail::HttpResult;
using fleet_detail::Session;
using fleet_detail::seq_of;
using fleet_detail::user_token;
using fleet_detail::widget_session;
using fleet_detail::WsClient;

}  // namespace botfactory::gateway_test
