// The gateway against hostile clients and dying backends, over real sockets: fake upstream gRPC
// servers (port 0), the real test Redis, gateway instances in this process (port 0).
// - a backend that hangs disables only the routes that need it (fast 503), /readyz stays 200
//   and live chat goes on;
// - the upload route checks the token before reading a body;
// - connection caps per address and in total answer 503 at accept;
// - a full worker queue answers 503 with Retry-After;
// - X-Forwarded-For counts only the trusted hops, IPv6 by /64, for the per-address limits.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/chat/v1/chat.grpc.pb.h"
#include "botfactory/common/random.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "fake_upstreams.hpp"
#include "gateway.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;

namespace {

/// One gateway instance on the fakes (settings tweakable), stopped at scope end.
struct Instance {
  std::filesystem::path web =
      std::filesystem::temp_directory_path() / ("gw_limits_" + common::random_base62(8));
  std::unique_ptr<gateway::Gateway> gateway;

  Instance(const FakeUpstreams& fakes, const std::function<void(gateway::GatewaySettings&)>& tweak) {
    std::filesystem::create_directories(web);
    std::ofstream(web / "index.html") << "<!doctype html><title>BotFactory</title>";
    gateway::GatewaySettings s;
    s.http_listen = "127.0.0.1:0";
    s.auth_addr = s.subscription_addr = s.registry_addr = s.channel_addr = fakes.address();
    s.redis_host = testenv::redis_host();
    s.redis_port = testenv::redis_port();
    s.jwt_secret = kJwtSecret;
    s.web_root = web.string();
    s.workers = 2;
    s.redis_key_prefix = "gwlimits-" + common::random_base62(10) + ":";
    s.redis_client_name = "gwlimits-" + common::random_base62(6);
    if (tweak) tweak(s);
    gateway = std::make_unique<gateway::Gateway>(s);
    gateway->start();
  }
  ~Instance() {
    gateway->stop();
    std::error_code ec;
    std::filesystem::remove_all(web, ec);
  }
  unsigned short port() const { return gateway->port(); }
};

struct Reply {
  int status = 0;  // 0: no response within the deadline (or the connection closed first)
  http::response<http::string_body> raw;
  json::object json() const { return json::parse(raw.body()).as_object(); }
  std::string error_code() const { return std::string(json().at("error").at("code").as_string()); }
};

/// Writes `head` (and `body`) on a fresh connection and reads one response, all within
/// `deadline`.
Reply http_exchange(unsigned short port, const std::string& head, const std::string& body = {},
               std::chrono::milliseconds deadline = 5000ms) {
  net::io_context io;
  beast::tcp_stream stream(io);
  Reply reply;
  beast::flat_buffer buffer;
  std::string out = head + body;
  stream.expires_after(deadline);
  stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                       [&](beast::error_code ec) {
                         if (ec) return;
                         net::async_write(stream, net::buffer(out), [](beast::error_code, std::size_t) {});
                         http::async_read(stream, buffer, reply.raw,
                                          [&](beast::error_code rec, std::size_t) {
                                            if (!rec) reply.status = reply.raw.result_int();
                                            stream.cancel();
                                          });
                       });
  io.run();
  return reply;
}

/// A request head: `method target` with `headers` (and a Content-Length for `body_length`).
std::string head(const std::string& method, const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {},
                 std::size_t body_length = 0) {
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
  if (body_length > 0 || method == "POST") text += "Content-Length: " + std::to_string(body_length) + "\r\n";
  return text + "\r\n";
}

Reply get(unsigned short port, const std::string& target, const std::string& token = {}) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return http_exchange(port, head("GET", target, headers));
}

std::string user_token(const FakeUpstreams& fakes) {
  jwt::Claims claims;
  claims.subject = kUserId;
  claims.tenant_id = kTenant;
  return fakes.signer().sign(claims, std::chrono::seconds(600));
}

/// A TCP listener that completes handshakes (kernel backlog) and never says a word: a backend
/// that hangs.
struct SilentListener {
  net::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
  std::string address() const {
    return "127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
  }
};

/// Polls /readyz until it answers `status` (the dependency monitor probes every second).
Reply await_readiness(unsigned short port, int status) {
  Reply r;
  for (int i = 0; i < 100; ++i) {
    r = get(port, "/readyz");
    if (r.status == status) break;
    std::this_thread::sleep_for(100ms);
  }
  return r;
}

std::string metrics_text(unsigned short port) { return get(port, "/metrics").raw.body(); }

}  // namespace

TEST_CASE("a hanging bot-registry disables only the routes that need it; chat goes on") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  // A visitor session made while everything is up (its conversation lives in the chat fake).
  std::string visitor_token;
  std::string conversation_id;
  {
    Instance healthy(fakes, {});
    auto r = http_exchange(healthy.port(),
                      head("POST", "/api/v1/widget/" + std::string(kPublicId) + "/sessions",
                           {{"Content-Type", "application/json"}}, 2),
                      "{}");
    REQUIRE(r.status == 201);
    visitor_token = std::string(r.json().at("token").as_string());
    conversation_id = std::string(r.json().at("conversation_id").as_string());
  }

  SilentListener registry;
  Instance degraded(fakes, [&](gateway::GatewaySettings& s) {
    s.registry_addr = registry.address();
    s.rpc_timeout = 30000ms;  // a call that went out would hang far past the reads below
  });
  auto port = degraded.port();

  // Ready: live chat needs only Redis and channel-connector.
  Reply ready;
  for (int i = 0; i < 100; ++i) {  // until the monitor has seen bot-registry fail
    ready = get(port, "/readyz");
    if (ready.status == 200 &&
        ready.json().at("dependencies").at("bot-registry").as_string() == "down") {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(ready.status == 200);
  CHECK(ready.json().at("status").as_string() == "ready");
  auto deps = ready.json().at("dependencies").as_object();
  CHECK(deps.at("bot-registry").as_string() == "down");
  CHECK(deps.at("channel-connector").as_string() == "up");
  CHECK(deps.at("redis").as_string() == "up");
  CHECK(deps.at("auth").as_string() == "up");
  auto metrics = metrics_text(port);
  CHECK(metrics.find("gateway_dependency_up{dependency=\"bot-registry\"} 0") != std::string::npos);
  CHECK(metrics.find("gateway_dependency_up{dependency=\"channel-connector\"} 1") !=
        std::string::npos);

  // Bot routes: a clear 503 well within 5 s although an upstream call would hang for 30 s.
  auto token = user_token(fakes);
  for (int i = 0; i < 3; ++i) {
    auto r = http_exchange(port, head("GET", "/api/v1/bots", {{"Authorization", "Bearer " + token}}), {},
                      5000ms);
    REQUIRE(r.status == 503);
    CHECK(r.error_code() == "unavailable");
    CHECK(r.raw[http::field::retry_after] == "2");
  }
  auto session = http_exchange(port,
                          head("POST", "/api/v1/widget/" + std::string(kPublicId) + "/sessions",
                               {{"Content-Type", "application/json"}}, 2),
                          "{}", 5000ms);
  CHECK(session.status == 503);

  // Chat routes still work: the history over REST, and a live post over WebSocket.
  auto history = get(port, "/api/v1/conversations/" + conversation_id + "/messages", visitor_token);
  REQUIRE(history.status == 200);
  CHECK(history.json().at("messages").as_array().size() == 1);  // the bot's greeting
  auto stored = fakes.stored_messages(conversation_id);

  net::io_context io;
  websocket::stream<tcp::socket> ws(io);
  ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  ws.handshake("127.0.0.1", "/ws?token=" + visitor_token);
  ws.text(true);
  ws.write(net::buffer(json::serialize(json::object{
      {"type", "conversation.join"}, {"conversation_id", conversation_id}, {"since_seq", 0}})));
  ws.write(net::buffer(json::serialize(json::object{{"type", "message.send"},
                                                    {"conversation_id", conversation_id},
                                                    {"client_id", "c-1"},
                                                    {"text", "still there?"}})));
  bool acked = false;
  for (int i = 0; i < 20 && !acked; ++i) {  // ctest's timeout guards a hang here
    beast::flat_buffer buffer;
    ws.read(buffer);
    auto frame = json::parse(beast::buffers_to_string(buffer.data())).as_object();
    INFO(json::serialize(frame));
    REQUIRE(frame.at("type").as_string() != "error");
    acked = frame.at("type").as_string() == "message.ack";
  }
  CHECK(acked);
  CHECK(fakes.stored_messages(conversation_id) == stored + 1);
  beast::error_code ignored;
  ws.close(websocket::close_code::normal, ignored);
}

TEST_CASE("the upload route refuses a missing or bad token before reading the body") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes, {});
  auto port = g.port();
  const std::size_t declared = 8 * 1000 * 1000;  // under MAX_UPLOAD_BYTES; never sent
  // Only the head goes out: an answer proves the body was not waited for.
  for (const std::string& auth : {std::string(), std::string("Bearer forged.token.here")}) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "multipart/form-data; boundary=B"}};
    if (!auth.empty()) headers.emplace_back("Authorization", auth);
    auto r = http_exchange(port, head("POST", "/api/v1/bots/b1/knowledge", headers, declared), {},
                      5000ms);
    REQUIRE(r.status == 401);
    CHECK(r.error_code() == "unauthorized");
    CHECK(r.raw[http::field::connection] == "close");
  }
  // Expect: 100-continue with no token gets the 401 instead of 100 Continue.
  auto r = http_exchange(port,
                    head("POST", "/api/v1/bots/b1/knowledge",
                         {{"Content-Type", "application/json"}, {"Expect", "100-continue"}},
                         declared),
                    {}, 5000ms);
  CHECK(r.status == 401);
  // With a valid token the gateway does wait for the body (no answer to a head alone).
  auto token = user_token(fakes);
  r = http_exchange(port,
               head("POST", "/api/v1/bots/b1/knowledge",
                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}},
                    100),
               {}, 500ms);
  CHECK(r.status == 0);
  // ... and serves the upload once it comes.
  std::string body = R"({"title":"FAQ","format":"text","body":"hello"})";
  r = http_exchange(port,
               head("POST", "/api/v1/bots/b1/knowledge",
                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}},
                    body.size()),
               body);
  CHECK(r.status == 201);
}

TEST_CASE("connections over the per-address or the total cap get 503 at accept") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  auto refused = [](unsigned short port) {
    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    std::string text;
    beast::error_code ec;
    std::array<char, 512> chunk{};
    for (;;) {  // the gateway writes the 503 and closes without being asked anything
      auto n = socket.read_some(net::buffer(chunk), ec);
      text.append(chunk.data(), n);
      if (ec) break;
    }
    return text;
  };
  auto hold = [](unsigned short port, std::vector<std::unique_ptr<tcp::socket>>& held,
                 net::io_context& io) {
    auto socket = std::make_unique<tcp::socket>(io);
    socket->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    held.push_back(std::move(socket));
  };
  auto refusals = [](const char* reason) {  // in-process: a request would be refused too
    auto text = metrics::Registry::global().render();
    auto key = std::string("gateway_connections_refused_total{reason=\"") + reason + "\"} ";
    auto at = text.find(key);
    return at == std::string::npos ? 0L : std::stol(text.substr(at + key.size()));
  };

  SECTION("per address") {
    Instance g(fakes, [](gateway::GatewaySettings& s) { s.max_connections_per_ip = 3; });
    net::io_context io;
    std::vector<std::unique_ptr<tcp::socket>> held;
    for (int i = 0; i < 3; ++i) hold(g.port(), held, io);
    auto before = refusals("per_address");
    auto text = refused(g.port());  // accepted after the three (the backlog is FIFO)
    CHECK(text.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
    CHECK(text.find(R"({"error":{"code":"unavailable","message":"too many connections"}})") !=
          std::string::npos);
    held.clear();
    Reply r;
    for (int i = 0; i < 50 && r.status != 200; ++i) {  // the gateway notices the closes
      r = get(g.port(), "/healthz");
      if (r.status != 200) std::this_thread::sleep_for(50ms);
    }
    CHECK(r.status == 200);
    CHECK(refusals("per_address") >= before + 1);
  }
  SECTION("in total") {
    Instance g(fakes, [](gateway::GatewaySettings& s) {
      s.max_connections = 2;
      s.max_connections_per_ip = 0;
    });
    net::io_context io;
    std::vector<std::unique_ptr<tcp::socket>> held;
    for (int i = 0; i < 2; ++i) hold(g.port(), held, io);
    auto before = refusals("total");
    CHECK(refused(g.port()).rfind("HTTP/1.1 503", 0) == 0);
    held.clear();
    Reply r;
    for (int i = 0; i < 50 && r.status != 200; ++i) {
      r = get(g.port(), "/healthz");
      if (r.status != 200) std::this_thread::sleep_for(50ms);
    }
    CHECK(r.status == 200);
    CHECK(refusals("total") == before + 1);
  }
}

namespace {

/// A subscription service whose ListPlans takes `delay`: work that occupies a gateway worker.
class SlowBilling final : public billing::v1::SubscriptionService::Service {
 public:
  explicit SlowBilling(std::chrono::milliseconds delay) : delay_(delay) {}
  grpc::Status ListPlans(grpc::ServerContext*, const billing::v1::ListPlansRequest*,
                         billing::v1::ListPlansResponse*) override {
    std::this_thread::sleep_for(delay_);
    return grpc::Status::OK;
  }

 private:
  std::chrono::milliseconds delay_;
};

}  // namespace

TEST_CASE("a full worker queue answers 503 unavailable with Retry-After, then recovers") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  SlowBilling billing(1500ms);
  rpc::Server slow("127.0.0.1:0", {&billing});
  Instance g(fakes, [&](gateway::GatewaySettings& s) {
    s.subscription_addr = "127.0.0.1:" + std::to_string(slow.port());
    s.workers = 1;
    s.worker_queue = 1;
  });
  auto port = g.port();
  // Six requests at once: one runs (1.5 s), one waits, the others cannot queue.
  std::vector<Reply> replies(6);
  std::vector<std::thread> clients;
  for (auto& reply : replies) {
    clients.emplace_back([&reply, port] { reply = get(port, "/api/v1/plans"); });
  }
  for (auto& t : clients) t.join();
  int ok = 0;
  int busy = 0;
  for (const auto& r : replies) {
    if (r.status == 200) ++ok;
    if (r.status == 503) {
      ++busy;
      CHECK(r.error_code() == "unavailable");
      CHECK(r.raw[http::field::retry_after] == "2");
    }
  }
  CHECK(ok >= 1);
  CHECK(ok <= 2);
  CHECK(busy >= 4);
  CHECK(ok + busy == 6);
  CHECK(metrics_text(port).find("gateway_worker_queue_full_total") != std::string::npos);
  CHECK(get(port, "/api/v1/plans").status == 200);  // the queue drained
  slow.shutdown(1000);
}

TEST_CASE("a WebSocket operation that finds the worker queue full gets an unavailable error") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  SlowBilling billing(3000ms);
  rpc::Server slow("127.0.0.1:0", {&billing});
  Instance g(fakes, [&](gateway::GatewaySettings& s) {
    s.subscription_addr = "127.0.0.1:" + std::to_string(slow.port());
    s.workers = 1;
    s.worker_queue = 1;
  });
  auto port = g.port();
  jwt::Claims claims;
  claims.subject = "v_test";
  claims.tenant_id = kTenant;
  claims.kind = jwt::TokenKind::kVisitor;
  claims.bot_id = kBotId;
  claims.conversation_id = "c_any";
  auto token = fakes.signer().sign(claims, std::chrono::seconds(600));
  net::io_context io;
  websocket::stream<tcp::socket> ws(io);
  ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  ws.handshake("127.0.0.1", "/ws?token=" + token);
  // One slow request on the only worker, one waiting: the queue is full for 3 s.
  std::vector<std::thread> clients;
  // The second request is sent once the first is running, so it waits in the queue.
  for (int i = 0; i < 2; ++i) {
    clients.emplace_back([port] { get(port, "/api/v1/plans"); });
    std::this_thread::sleep_for(300ms);
  }
  ws.text(true);
  ws.write(net::buffer(json::serialize(json::object{
      {"type", "conversation.join"}, {"conversation_id", "c_any"}, {"since_seq", 0}})));
  beast::flat_buffer buffer;
  ws.read(buffer);
  auto frame = json::parse(beast::buffers_to_string(buffer.data())).as_object();
  INFO(json::serialize(frame));
  CHECK(frame.at("type").as_string() == "error");
  CHECK(frame.at("code").as_string() == "unavailable");
  for (auto& t : clients) t.join();
  beast::error_code ignored;
  ws.close(websocket::close_code::normal, ignored);
  slow.shutdown(1000);
}

TEST_CASE("readiness goes 503 while channel-connector is gone, and back when it returns") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  unsigned short chat_port = 0;
  {
    SilentListener probe;  // a free port, closed again: connections to it are refused
    chat_port = probe.acceptor.local_endpoint().port();
  }
  Instance g(fakes, [&](gateway::GatewaySettings& s) {
    s.channel_addr = "127.0.0.1:" + std::to_string(chat_port);
  });
  Reply r;
  for (int i = 0; i < 100; ++i) {  // once Redis is connected, only channel-connector fails
    r = get(g.port(), "/readyz");
    if (r.status == 503 && r.json().at("dependencies").at("redis").as_string() == "up") break;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(r.status == 503);
  CHECK(r.json().at("status").as_string() == "unavailable");
  REQUIRE(r.json().at("failed").as_array().size() == 1);
  CHECK(r.json().at("failed").as_array()[0].as_string() == "channel-connector");
  CHECK(get(g.port(), "/healthz").status == 200);  // alive, just not ready

  SlowBilling any(0ms);  // a gRPC server with the health service on the port again
  rpc::Server back("127.0.0.1:" + std::to_string(chat_port), {&any});
  r = await_readiness(g.port(), 200);
  CHECK(r.status == 200);
  CHECK(r.json().at("dependencies").at("channel-connector").as_string() == "up");
  back.shutdown(1000);
}

TEST_CASE("per-address limits count the trusted hop's client, and IPv6 by /64") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes, [](gateway::GatewaySettings& s) {
    s.trusted_proxy_hops = 1;
    s.rate_limit_sessions_per_min = 2;
  });
  auto session = [&](const std::string& forwarded) {
    return http_exchange(g.port(),
                    head("POST", "/api/v1/widget/" + std::string(kPublicId) + "/sessions",
                         {{"Content-Type", "application/json"}, {"X-Forwarded-For", forwarded}}, 2),
                    "{}")
        .status;
  };
  // A client that forges the first entry is still counted by what the proxy appended.
  CHECK(session("198.51.100.1, 203.0.113.7") == 201);
  CHECK(session("198.51.100.2, 203.0.113.7") == 201);
  CHECK(session("198.51.100.3, 203.0.113.7") == 429);
  CHECK(session("203.0.113.8") == 201);  // another client has its own budget
  // Addresses of one IPv6 /64 share a budget; IPv4-mapped IPv6 is its IPv4 address.
  CHECK(session("2001:db8:7:7::1") == 201);
  CHECK(session("[2001:db8:7:7:ffff::2]:5555") == 201);
  CHECK(session("2001:db8:7:7::3") == 429);
  CHECK(session("2001:db8:7:8::1") == 201);
  CHECK(session("::ffff:203.0.113.7") == 429);
}
