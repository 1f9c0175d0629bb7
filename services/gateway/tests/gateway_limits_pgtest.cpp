// The gateway against hostile clients and dying backends, over real sockets: fake upstream gRPC
// servers (port 0), the real test Redis, gateway instances in this process (port 0).
// - a backend that hangs disables only the routes that need it (fast 503), /readyz stays 200
//   and live chat goes on;
// - the upload route checks the token before reading a body;
// - connection caps per address and in total answer 503 at accept;
// - a full worker queue answers 503 with Retry-After;
// - X-Forwarded-For counts only the trusted hops, IPv6 by /64, for the per-address limits.
#include <catch2/catch.hpp>

#include <thread>

#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/server.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

namespace {

/// GET `target` (Bearer `token` when not empty) without assertions: safe on any thread.
HttpResult get(unsigned short port, const std::string& target, const std::string& token = {}) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return http_exchange(port, request_head("GET", target, headers), 5000ms);
}

/// A widget session request with `headers` besides Content-Type and the body "{}".
HttpResult post_session(unsigned short port,
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return http_exchange(
      port, request_head("POST", "/api/v1/widget/" + std::string(kPublicId) + "/sessions", headers, 2) +
                "{}",
      5000ms);
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

/// Polls GET `target` every `interval` until it answers `status` or `tries` ran out; the last
/// answer.
HttpResult await_status(unsigned short port, const std::string& target, int status, int tries = 100,
                        std::chrono::milliseconds interval = 100ms) {
  HttpResult r;
  for (int i = 0; i < tries; ++i) {
    r = get(port, target);
    if (r.status == status) break;
    std::this_thread::sleep_for(interval);
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
    Instance healthy(fakes.address());
    auto r = post_session(healthy.port());
    REQUIRE(r.status == 201);
    visitor_token = std::string(r.json().at("token").as_string());
    conversation_id = std::string(r.json().at("conversation_id").as_string());
  }

  SilentListener registry;
  Instance degraded(fakes.address(), [&](gateway::GatewaySettings& s) {
    s.registry_addr = registry.address();
    s.rpc_timeout = 30000ms;  // a call that went out would hang far past the reads below
  });
  auto port = degraded.port();

  // Ready: live chat needs only Redis and channel-connector.
  HttpResult ready;
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
  auto token = user_token(fakes, kTenant);
  for (int i = 0; i < 3; ++i) {
    auto r = get(port, "/api/v1/bots", token);
    REQUIRE(r.status == 503);
    CHECK(r.error_code() == "unavailable");
    CHECK(r.raw[http::field::retry_after] == "2");
  }
  CHECK(post_session(port).status == 503);

  // Chat routes still work: the history over REST, and a live post over WebSocket.
  auto history = get(port, "/api/v1/conversations/" + conversation_id + "/messages", visitor_token);
  REQUIRE(history.status == 200);
  CHECK(history.json().at("messages").as_array().size() == 1);  // the bot's greeting
  auto stored = fakes.stored_messages(conversation_id);

  WsClient ws(port, visitor_token);
  REQUIRE(ws.open());
  ws.send_json({{"type", "conversation.join"}, {"conversation_id", conversation_id}, {"since_seq", 0}});
  ws.send_json({{"type", "message.send"},
                {"conversation_id", conversation_id},
                {"client_id", "c-1"},
                {"text", "still there?"}});
  std::vector<json::object> skipped;
  auto ack = ws.read_type("message.ack", &skipped);
  CHECK(ack.at("client_id").as_string() == "c-1");
  for (const auto& frame : skipped) {
    INFO(json::serialize(frame));
    CHECK(frame.at("type").as_string() != "error");
  }
  CHECK(fakes.stored_messages(conversation_id) == stored + 1);
  ws.close();
}

TEST_CASE("the upload route refuses a missing or bad token before reading the body") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes.address());
  auto port = g.port();
  const std::string kUpload = "/api/v1/bots/b1/knowledge";
  const std::size_t declared = 8 * 1000 * 1000;  // under MAX_UPLOAD_BYTES; never sent
  // Only the head goes out: an answer proves the body was not waited for.
  for (const std::string& auth : {std::string(), std::string("Bearer forged.token.here")}) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "multipart/form-data; boundary=B"}};
    if (!auth.empty()) headers.emplace_back("Authorization", auth);
    auto r = http_exchange(port, request_head("POST", kUpload, headers, declared), 5000ms);
    REQUIRE(r.status == 401);
    CHECK(r.error_code() == "unauthorized");
    CHECK(r.raw[http::field::connection] == "close");
  }
  // Expect: 100-continue with no token gets the 401 instead of 100 Continue.
  auto r = http_exchange(
      port,
      request_head("POST", kUpload, {{"Content-Type", "application/json"}, {"Expect", "100-continue"}},
                   declared),
      5000ms);
  CHECK(r.status == 401);
  // With a valid token the gateway does wait for the body (no answer to a head alone).
  auto token = user_token(fakes, kTenant);
  std::vector<std::pair<std::string, std::string>> authorized = {
      {"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}};
  r = http_exchange(port, request_head("POST", kUpload, authorized, 100), 500ms);
  CHECK(r.status == 0);
  // ... and serves the upload once it comes.
  std::string body = R"({"title":"FAQ","format":"text","body":"hello"})";
  r = http_exchange(port, request_head("POST", kUpload, authorized, body.size()) + body);
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
    Instance g(fakes.address(), [](gateway::GatewaySettings& s) { s.max_connections_per_ip = 3; });
    net::io_context io;
    std::vector<std::unique_ptr<tcp::socket>> held;
    for (int i = 0; i < 3; ++i) hold(g.port(), held, io);
    auto before = refusals("per_address");
    auto text = refused(g.port());  // accepted after the three (the backlog is FIFO)
    CHECK(text.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
    CHECK(text.find(R"({"error":{"code":"unavailable","message":"too many connections"}})") !=
          std::string::npos);
    held.clear();
    // The gateway notices the closes.
    CHECK(await_status(g.port(), "/healthz", 200, 50, 50ms).status == 200);
    CHECK(refusals("per_address") >= before + 1);
  }
  SECTION("in total") {
    Instance g(fakes.address(), [](gateway::GatewaySettings& s) {
      s.max_connections = 2;
      s.max_connections_per_ip = 0;
    });
    net::io_context io;
    std::vector<std::unique_ptr<tcp::socket>> held;
    for (int i = 0; i < 2; ++i) hold(g.port(), held, io);
    auto before = refusals("total");
    CHECK(refused(g.port()).rfind("HTTP/1.1 503", 0) == 0);
    held.clear();
    CHECK(await_status(g.port(), "/healthz", 200, 50, 50ms).status == 200);
    // ≥: a first /healthz probe may still find the held sockets counted (their closes are
    // noticed asynchronously) and be refused too.
    CHECK(refusals("total") >= before + 1);
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

/// A gateway with one worker and a one-place worker queue on the fakes, except that its plan
/// listing (GET /api/v1/plans) takes `delay` on a slow subscription service.
struct BusyGateway {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  SlowBilling billing;
  rpc::Server slow{"127.0.0.1:0", {&billing}};
  Instance instance;

  explicit BusyGateway(std::chrono::milliseconds delay, const SettingsTweak& tweak = {})
      : billing(delay), instance(fakes.address(), [this, &tweak](gateway::GatewaySettings& s) {
          s.subscription_addr = "127.0.0.1:" + std::to_string(slow.port());
          s.workers = 1;
          s.worker_queue = 1;
          if (tweak) tweak(s);
        }) {}
  ~BusyGateway() { slow.shutdown(1000); }
  unsigned short port() const { return instance.port(); }
};

}  // namespace

TEST_CASE("a full worker queue answers 503 unavailable with Retry-After, then recovers") {
  BusyGateway g(1500ms);
  auto port = g.port();
  // Six requests at once: one runs (1.5 s), one waits, the others cannot queue.
  std::vector<HttpResult> replies(6);
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
}

TEST_CASE("a WebSocket operation that finds the worker queue full gets an unavailable error") {
  BusyGateway g(3000ms);
  auto& fakes = g.fakes;
  auto port = g.port();
  jwt::Claims claims;
  claims.subject = "v_test";
  claims.tenant_id = kTenant;
  claims.kind = jwt::TokenKind::kVisitor;
  claims.bot_id = kBotId;
  claims.conversation_id = "c_any";
  auto token = fakes.signer().sign(claims, std::chrono::seconds(600));
  WsClient ws(port, token);
  REQUIRE(ws.open());
  // One slow request on the only worker, one waiting: the queue is full for 3 s.
  std::vector<std::thread> clients;
  // The second request is sent once the first is running, so it waits in the queue.
  for (int i = 0; i < 2; ++i) {
    clients.emplace_back([port] { get(port, "/api/v1/plans"); });
    std::this_thread::sleep_for(300ms);
  }
  auto frame = ws.join("c_any", 0);
  INFO(json::serialize(frame));
  CHECK(frame.at("type").as_string() == "error");
  CHECK(frame.at("code").as_string() == "unavailable");
  CHECK(frame.at("retry_after_ms").as_int64() == 2000);
  for (auto& t : clients) t.join();
  ws.close();
}

TEST_CASE("readiness goes 503 while channel-connector is gone, and back when it returns") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  unsigned short chat_port = 0;
  {
    SilentListener probe;  // a free port, closed again: connections to it are refused
    chat_port = probe.acceptor.local_endpoint().port();
  }
  Instance g(fakes.address(), [&](gateway::GatewaySettings& s) {
    s.channel_addr = "127.0.0.1:" + std::to_string(chat_port);
  });
  HttpResult r;
  for (int i = 0; i < 100; ++i) {  // once Redis is connected, only channel-connector fails
    r = get(g.port(), "/readyz");
    // readiness() reads ready() and the dependency list apart: wait until both have settled.
    if (r.status == 503 && r.json().at("dependencies").at("redis").as_string() == "up" &&
        r.json().at("dependencies").at("channel-connector").as_string() == "down") {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(r.status == 503);
  CHECK(r.json().at("status").as_string() == "unavailable");
  REQUIRE(r.json().at("failed").as_array().size() == 1);
  CHECK(r.json().at("failed").as_array()[0].as_string() == "channel-connector");
  CHECK(get(g.port(), "/healthz").status == 200);  // alive, just not ready

  SlowBilling any(0ms);  // a gRPC server with the health service on the port again
  rpc::Server back("127.0.0.1:" + std::to_string(chat_port), {&any});
  r = await_status(g.port(), "/readyz", 200);
  CHECK(r.status == 200);
  CHECK(r.json().at("dependencies").at("channel-connector").as_string() == "up");
  back.shutdown(1000);
}

TEST_CASE("per-address limits count the trusted hop's client, and IPv6 by /64") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes.address(), [](gateway::GatewaySettings& s) {
    s.trusted_proxy_hops = 1;
    s.rate_limit_sessions_per_min = 2;
  });
  auto session = [&](const std::string& forwarded) {
    return post_session(g.port(), {{"X-Forwarded-For", forwarded}}).status;
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

TEST_CASE("widget appearance reads have their own per-address budget") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes.address(), [](gateway::GatewaySettings& s) {
    s.trusted_proxy_hops = 1;
    s.rate_limit_widget_per_min = 2;
    s.rate_limit_sessions_per_min = 1;
  });
  auto read = [&](const std::string& forwarded) {
    return http_exchange(g.port(),
                         request_head("GET", "/api/v1/widget/" + std::string(kPublicId),
                                      {{"X-Forwarded-For", forwarded}}),
                         5000ms);
  };
  CHECK(read("203.0.113.20").status != 429);
  CHECK(read("203.0.113.20").status != 429);
  auto third = read("203.0.113.20");
  CHECK(third.status == 429);
  CHECK(!third.raw[http::field::retry_after].empty());
  CHECK(read("203.0.113.21").status != 429);  // another client has its own budget
  // The page views did not spend the session budget (1 here): the visitor can still start a chat.
  CHECK(post_session(g.port(), {{"X-Forwarded-For", "203.0.113.20"}}).status == 201);
}

TEST_CASE("with GATEWAY_METRICS_LISTEN, /metrics leaves the public port for the ops listener") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance g(fakes.address(), [](gateway::GatewaySettings& s) { s.metrics_listen = "127.0.0.1:0"; });
  REQUIRE(g.gateway->metrics_port() > 0);
  auto public_metrics = get(g.port(), "/metrics");
  CHECK(public_metrics.status == 404);
  CHECK(public_metrics.raw.body().find("gateway_") == std::string::npos);
  auto ops = get(static_cast<unsigned short>(g.gateway->metrics_port()), "/metrics");
  CHECK(ops.status == 200);
  CHECK(ops.raw.body().find("gateway_dependency_up") != std::string::npos);
  CHECK(get(g.port(), "/healthz").status == 200);  // probes keep working on the public port
}

namespace {

/// Sends message.send {conversation_id, client_id, text "hello"}; the first `error` or
/// `message.ack` frame that answers it.
json::object send_message(WsClient& ws, const std::string& conversation_id,
                          const std::string& client_id) {
  ws.send_json({{"type", "message.send"},
                {"conversation_id", conversation_id},
                {"client_id", client_id},
                {"text", "hello"}});
  for (int i = 0; i < 100; ++i) {
    auto frame = ws.read_json();
    auto type = frame.at("type").as_string();
    if (type == "error" || type == "message.ack") return frame;
  }
  FAIL("no answer to message.send " << client_id);
  return {};
}


}  // namespace

TEST_CASE("message.send needs no worker: acknowledged while the worker queue is full") {
  BusyGateway g(1500ms);
  auto port = g.port();
  auto [ws, conversation] = joined_visitor(port);
  auto stored_before = g.fakes.stored_messages(conversation);
  // One slow request on the only worker, one waiting: the queue is full for ~1.5 s.
  std::vector<std::thread> clients;
  for (int i = 0; i < 2; ++i) {
    clients.emplace_back([port] { get(port, "/api/v1/plans"); });
    std::this_thread::sleep_for(300ms);
  }
  // PostMessage goes out on gRPC's callback API, not on a worker.
  auto accepted = send_message(*ws, conversation, "m-busy");
  INFO(json::serialize(accepted));
  CHECK(accepted.at("type").as_string() == "message.ack");
  CHECK(accepted.at("client_id").as_string() == "m-busy");
  CHECK(g.fakes.stored_messages(conversation) == stored_before + 1);
  // A join still needs a worker: refused, with a retry hint.
  ws->send_json({{"type", "conversation.join"}, {"conversation_id", conversation}, {"since_seq", 0}});
  auto refused = ws->read_type("error");
  INFO(json::serialize(refused));
  CHECK(refused.at("code").as_string() == "unavailable");
  CHECK(refused.at("retry_after_ms").as_int64() > 0);
  for (auto& t : clients) t.join();
  ws->close();
}
