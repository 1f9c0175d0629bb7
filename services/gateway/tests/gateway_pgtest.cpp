// The gateway end to end over real sockets: fake upstream gRPC servers (port 0), the real test
// Redis, TWO gateway instances in this process (port 0), and Beast HTTP/WebSocket clients
// (gateway_fleet.hpp).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"
#include "gateway.hpp"
#include "gateway_metrics.hpp"
#include "redis_admin.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;

TEST_CASE("a message sent through replica A reaches a socket on replica B; joins replay by seq") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  CHECK(session.visitor_name == "Ann");
  CHECK(widget_session(fleet.a->port(), "").visitor_name.rfind("Guest ", 0) == 0);

  WsClient v(fleet.b->port(), session.token);
  REQUIRE(v.open());
  auto greeting = v.join(session.conversation_id, 0);
  CHECK(greeting.at("type").as_string() == "message.new");
  CHECK(seq_of(greeting) == 1);
  CHECK(greeting.at("message").at("text").as_string() == kGreeting);
  CHECK(greeting.at("message").at("sender").at("kind").as_string() == "bot");
  auto joined = v.read_json();
  CHECK(joined.at("type").as_string() == "conversation.joined");
  CHECK(joined.at("last_seq").as_int64() == 1);

  WsClient w(fleet.a->port(), session.token);
  REQUIRE(w.open());
  joined = w.join(session.conversation_id, 1);
  CHECK(joined.at("type").as_string() == "conversation.joined");
  CHECK(joined.at("last_seq").as_int64() == 1);

  w.send_json({{"type", "message.send"},
               {"conversation_id", session.conversation_id},
               {"client_id", "c1"},
               {"text", "hello from A"}});
  std::vector<json::object> skipped;
  auto ack = w.read_type("message.ack", &skipped);
  CHECK(ack.at("client_id").as_string() == "c1");
  CHECK(ack.at("seq").as_int64() == 2);
  CHECK(ack.at("conversation_id").as_string() == session.conversation_id);
  auto message_id = std::string(ack.at("message_id").as_string());

  auto live = v.read_json();  // through Redis, on the other replica
  CHECK(live.at("type").as_string() == "message.new");
  CHECK(seq_of(live) == 2);
  CHECK(live.at("message").at("id").as_string() == message_id);
  CHECK(live.at("message").at("text").as_string() == "hello from A");
  CHECK(live.at("message").at("sender").at("kind").as_string() == "visitor");
  CHECK(live.at("message").at("sender").at("name").as_string() == "Ann");

  // A repeated client_id gets the same ack and stores nothing new.
  w.send_json({{"type", "message.send"},
               {"conversation_id", session.conversation_id},
               {"client_id", "c1"},
               {"text", "hello from A"}});
  auto again = w.read_type("message.ack");
  CHECK(again.at("seq").as_int64() == 2);
  CHECK(again.at("message_id").as_string() == message_id);
  CHECK(fleet.fakes.stored_messages(session.conversation_id) == 2);
  v.expect_nothing_pending();

  // V goes away; two messages are committed meanwhile; a new socket resumes with since_seq.
  v.close();
  w.send_json({{"type", "message.send"},
               {"conversation_id", session.conversation_id},
               {"client_id", "c2"},
               {"text", "second"}});
  CHECK(w.read_type("message.ack").at("seq").as_int64() == 3);
  fleet.fakes.store_and_publish(session.conversation_id, "a bot reply");
  WsClient v2(fleet.b->port(), session.token);
  REQUIRE(v2.open());
  auto first = v2.join(session.conversation_id, 1);
  CHECK(seq_of(first) == 2);
  CHECK(seq_of(v2.read_json()) == 3);
  auto fourth = v2.read_json();
  CHECK(seq_of(fourth) == 4);
  CHECK(fourth.at("message").at("text").as_string() == "a bot reply");
  joined = v2.read_json();
  CHECK(joined.at("type").as_string() == "conversation.joined");
  CHECK(joined.at("last_seq").as_int64() == 4);

  // The same history over REST, in seq order.
  auto history = http_call(fleet.b->port(), http::verb::get,
                           "/api/v1/conversations/" + session.conversation_id +
                               "/messages?since_seq=1",
                           "", session.token);
  REQUIRE(history.status == 200);
  auto messages = history.json().at("messages").as_array();
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].at("seq").as_int64() == 2);
  CHECK(messages[0].at("sender").at("kind").as_string() == "visitor");
  CHECK(messages[2].at("seq").as_int64() == 4);
  CHECK(std::string(messages[2].at("created_at").as_string()).back() == 'Z');
}

TEST_CASE("bad WebSocket input gets an error event and the socket stays open") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  auto other = widget_session(fleet.a->port());
  WsClient v(fleet.a->port(), session.token);
  REQUIRE(v.open());
  v.join(session.conversation_id, 0);
  CHECK(v.read_type("conversation.joined").at("last_seq").as_int64() == 1);

  v.send(R"({"type":"conversation.dance","conversation_id":"x"})");
  auto error = v.read_json();
  CHECK(error.at("type").as_string() == "error");
  CHECK(error.at("code").as_string() == "unknown_type");
  v.expect_nothing_pending();  // still served

  v.send("{this is not json");
  CHECK(v.read_json().at("code").as_string() == "invalid_json");

  auto send_text = [&](const std::string& text) {
    v.send_json({{"type", "message.send"},
                 {"conversation_id", session.conversation_id},
                 {"client_id", "k-" + common::random_base62(6)},
                 {"text", text}});
    return v.read_json();
  };
  error = send_text("   \n ");
  CHECK(error.at("code").as_string() == "invalid_text");
  error = send_text(std::string(4001, 'x'));
  CHECK(error.at("code").as_string() == "invalid_text");
  CHECK(fleet.fakes.post_calls() == 0);  // nothing went upstream
  CHECK(fleet.fakes.stored_messages(session.conversation_id) == 1);

  v.send_json({{"type", "message.send"},
               {"conversation_id", other.conversation_id},
               {"client_id", "k1"},
               {"text", "hi"}});
  error = v.read_json();
  CHECK(error.at("code").as_string() == "not_joined");
  CHECK(error.at("client_id").as_string() == "k1");

  error = v.join(other.conversation_id, 0);  // another visitor's conversation
  CHECK(error.at("type").as_string() == "error");
  CHECK(error.at("code").as_string() == "forbidden");
  v.expect_nothing_pending();

  // A frame over WS_MAX_FRAME_BYTES closes the socket with 1009.
  v.send(R"({"type":"message.send","text":")" + std::string(20000, 'y') + R"("})");
  beast::error_code ec;
  while (v.read(&ec)) {
  }
  // Beast fails the connection after its close frame, so our close reply may hit a closed
  // socket; the close code is what matters.
  CHECK(ec);
  CHECK(v.close_reason().code == websocket::close_code::too_big);

  // Tokens are checked before the upgrade.
  CHECK(WsClient(fleet.b->port(), "").handshake_status() == 401);
  CHECK(WsClient(fleet.b->port(), "not.a.jwt").handshake_status() == 401);
  jwt::Claims claims;
  claims.subject = std::string(kUserId);
  claims.tenant_id = std::string(kTenant);
  auto expired = fleet.fakes.signer().sign(claims, std::chrono::seconds(60),
                                           std::chrono::system_clock::now() - 1h);
  WsClient late(fleet.b->port(), expired);
  CHECK_FALSE(late.open());
  CHECK(late.handshake_status() == 401);
}

TEST_CASE("an operator of the tenant joins and posts; another tenant gets not_found") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  WsClient v(fleet.a->port(), session.token);
  REQUIRE(v.open());
  v.join(session.conversation_id, 1);

  WsClient op(fleet.b->port(), user_token(fleet.fakes, kTenant));
  REQUIRE(op.open());
  auto first = op.join(session.conversation_id, 0);
  CHECK(seq_of(first) == 1);
  CHECK(op.read_json().at("type").as_string() == "conversation.joined");
  op.send_json({{"type", "message.send"},
                {"conversation_id", session.conversation_id},
                {"client_id", "op-1"},
                {"text", "An operator here"}});
  CHECK(op.read_type("message.ack").at("seq").as_int64() == 2);
  auto live = v.read_json();
  CHECK(seq_of(live) == 2);
  CHECK(live.at("message").at("sender").at("kind").as_string() == "operator");
  CHECK(live.at("message").at("sender").at("name").as_string() == "owner");
  CHECK(live.at("message").at("sender").at("id").as_string() == kUserId);

  WsClient stranger(fleet.b->port(), user_token(fleet.fakes, kOtherTenant));
  REQUIRE(stranger.open());
  auto error = stranger.join(session.conversation_id, 0);
  CHECK(error.at("type").as_string() == "error");
  CHECK(error.at("code").as_string() == "not_found");
}

TEST_CASE("messages missed by pub/sub are re-synced from storage") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  WsClient v(fleet.b->port(), session.token);
  REQUIRE(v.open());
  v.join(session.conversation_id, 0);
  CHECK(v.read_type("conversation.joined").at("last_seq").as_int64() == 1);

  // Redis drops the subscribers while a message is committed unpublished: the reconnect
  // re-sync delivers it.
  fleet.fakes.store_silently(session.conversation_id, "committed while Redis was away");
  CHECK(kill_redis_clients(fleet.name) == 2);  // both replicas' subscribers
  auto resynced = v.read_json();
  CHECK(seq_of(resynced) == 2);
  CHECK(resynced.at("message").at("text").as_string() == "committed while Redis was away");

  // A gap in the live stream (a lost publish) is filled from storage, in order.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!(fleet.a->redis_connected() && fleet.b->redis_connected()) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  fleet.fakes.store_silently(session.conversation_id, "lost publish");
  fleet.fakes.store_and_publish(session.conversation_id, "after the gap");
  auto third = v.read_json();
  CHECK(seq_of(third) == 3);
  CHECK(third.at("message").at("text").as_string() == "lost publish");
  CHECK(seq_of(v.read_json()) == 4);
  v.expect_nothing_pending();
}

namespace {

/// Publishes `count` messages of 16 000 bytes (channel-connector's limit is 4000 code points)
/// while the client does not read: far more than the kernel's socket buffers plus
/// WS_MAX_QUEUE (8) frames. A replay page (200 messages) stays under gRPC's 4 MB. Then reads:
/// every message must arrive once, in seq order, on a socket that stays open.
void fall_behind_and_catch_up(Fleet& fleet, int count) {
  auto session = widget_session(fleet.a->port());
  WsClient v(fleet.a->port(), session.token);
  REQUIRE(v.open());
  v.join(session.conversation_id, 0);
  CHECK(v.read_type("conversation.joined").at("last_seq").as_int64() == 1);
  std::string big(16000, 'z');
  for (int i = 0; i < count; ++i) {
    fleet.fakes.store_and_publish(session.conversation_id, big + std::to_string(i));
  }
  std::this_thread::sleep_for(300ms);
  for (std::int64_t expected = 2; expected <= count + 1; ++expected) {
    auto frame = v.read_json();
    INFO(json::serialize(frame).substr(0, 300));
    REQUIRE(frame.at("type").as_string() == "message.new");
    REQUIRE(seq_of(frame) == expected);
    CHECK(frame.at("message").at("text").as_string() == big + std::to_string(expected - 2));
  }
  v.expect_nothing_pending();
}

}  // namespace

TEST_CASE("a socket that falls behind catches up from the hub's recent frames") {
  Fleet fleet([](gateway::GatewaySettings& s) {
    s.ws_max_queue = 8;
    s.fanout_recent_frames = 2000;
  });
  auto& metrics = gateway::GatewayMetrics::get();
  auto lagging = metrics.ws_lagging.value();
  auto from_memory = metrics.ws_catchup_memory_frames.value();
  auto closes = metrics.slow_consumer_closes.value();
  fall_behind_and_catch_up(fleet, 1000);
  CHECK(metrics.ws_lagging.value() > lagging);
  CHECK(metrics.ws_catchup_memory_frames.value() > from_memory);
  CHECK(metrics.slow_consumer_closes.value() == closes);
}

TEST_CASE("a socket that falls behind further than the hub keeps catches up from storage") {
  Fleet fleet([](gateway::GatewaySettings& s) {
    s.ws_max_queue = 8;
    s.fanout_recent_frames = 16;
  });
  auto& metrics = gateway::GatewayMetrics::get();
  auto from_storage = metrics.ws_catchup_storage.value();
  auto closes = metrics.slow_consumer_closes.value();
  fall_behind_and_catch_up(fleet, 1000);
  CHECK(metrics.ws_catchup_storage.value() > from_storage);
  CHECK(metrics.slow_consumer_closes.value() == closes);
}

TEST_CASE("per-IP limits on sessions and logins are shared by the replicas (429 Retry-After)") {
  Fleet fleet([](gateway::GatewaySettings& s) {
    s.rate_limit_sessions_per_min = 3;
    s.rate_limit_auth_per_min = 2;
  });
  const std::string sessions = "/api/v1/widget/" + std::string(kPublicId) + "/sessions";
  CHECK(http_call(fleet.a->port(), http::verb::post, sessions, "{}").status == 201);
  CHECK(http_call(fleet.b->port(), http::verb::post, sessions, "{}").status == 201);
  CHECK(http_call(fleet.a->port(), http::verb::post, sessions, "{}").status == 201);
  auto limited = http_call(fleet.b->port(), http::verb::post, sessions, "{}");
  CHECK(limited.status == 429);
  CHECK(limited.error_code() == "rate_limited");
  auto retry_after = std::stoi(std::string(limited.raw[http::field::retry_after]));
  CHECK(retry_after >= 1);
  CHECK(retry_after <= 60);
  // X-Forwarded-For is not trusted unless configured: it cannot dodge the limit.
  auto spoofed = http_call(fleet.a->port(), http::verb::post, sessions, "{}", "",
                           "application/json", {{"X-Forwarded-For", "203.0.113.7"}});
  CHECK(spoofed.status == 429);

  // Sign-in attempts are limited before the password is checked (brute force).
  const std::string wrong = R"({"email":"owner@example.com","password":"guess"})";
  CHECK(http_call(fleet.a->port(), http::verb::post, "/api/v1/auth/login", wrong).status == 401);
  CHECK(http_call(fleet.b->port(), http::verb::post, "/api/v1/auth/login", wrong).status == 401);
  auto locked = http_call(fleet.a->port(), http::verb::post, "/api/v1/auth/login", wrong);
  CHECK(locked.status == 429);
  CHECK(locked.error_code() == "rate_limited");
  // Other endpoints are not limited.
  CHECK(http_call(fleet.a->port(), http::verb::get, "/api/v1/users/me").status == 401);
}

TEST_CASE("auth's login throttle is 429 and its hashing cap 503, both with Retry-After") {
  Fleet fleet;
  auto throttled = http_call(fleet.a->port(), http::verb::post, "/api/v1/auth/login",
                             R"({"email":"throttled@example.com","password":"whatever1"})");
  CHECK(throttled.status == 429);
  CHECK(throttled.error_code() == "rate_limited");
  CHECK(throttled.raw[http::field::retry_after] == "7");
  auto busy = http_call(fleet.a->port(), http::verb::post, "/api/v1/auth/login",
                        R"({"email":"busy@example.com","password":"whatever1"})");
  CHECK(busy.status == 503);
  CHECK(busy.error_code() == "unavailable");
  CHECK(busy.raw[http::field::retry_after] == "1");
}

TEST_CASE("a socket whose writes stall is closed as a slow consumer") {
  Fleet fleet([](gateway::GatewaySettings& s) {
    s.ws_max_queue = 8;
    s.ws_send_timeout = 300ms;
  });
  auto before = gateway::GatewayMetrics::get().slow_consumer_closes.value();
  auto session = widget_session(fleet.a->port());
  WsClient v(fleet.a->port(), session.token);
  REQUIRE(v.open());
  v.join(session.conversation_id, 0);
  CHECK(v.read_type("conversation.joined").at("last_seq").as_int64() == 1);

  redis::Publisher publisher(testenv::redis_host(), testenv::redis_port());
  std::string big(32 * 1024, 'z');
  for (int seq = 2; seq < 600; ++seq) {
    chat::v1::Message message;
    message.set_id(std::to_string(seq));
    message.set_conversation_id(session.conversation_id);
    message.set_seq(seq);
    message.set_text(big);
    publisher.publish(chatwire::conversation_channel(session.conversation_id),
                      chatwire::encode_message_new(message));
  }
  // The client does not read, so the write in flight makes no progress: closed within
  // 1.25 × WS_SEND_TIMEOUT_MS.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (gateway::GatewayMetrics::get().slow_consumer_closes.value() == before &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(gateway::GatewayMetrics::get().slow_consumer_closes.value() > before);
  beast::error_code ec;
  int frames = 0;
  while (v.read(&ec)) ++frames;
  CHECK(ec == websocket::error::closed);
  CHECK(v.close_reason().code == websocket::close_code::policy_error);
  CHECK(frames < 598);
}

TEST_CASE("REST errors, limits, static files and ops endpoints") {
  Fleet fleet;
  auto port = fleet.a->port();

  auto r = http_call(port, http::verb::post, "/api/v1/auth/login", R"({"email":"x@y.z",)");
  CHECK(r.status == 400);
  CHECK(r.error_code() == "invalid_json");

  r = http_call(port, http::verb::post, "/api/v1/auth/login",
                R"({"email":"owner@example.com","password":"wrong-password"})");
  CHECK(r.status == 401);
  CHECK(r.error_code() == "invalid_credentials");
  CHECK(r.json().at("error").at("message").as_string() == "invalid email or password");

  r = http_call(port, http::verb::post, "/api/v1/auth/login",
                json::serialize(json::object{{"email", kUserEmail}, {"password", kUserPassword}}));
  REQUIRE(r.status == 200);
  CHECK(r.json().at("token_type").as_string() == "Bearer");
  CHECK(r.json().at("expires_in").as_int64() == 900);
  std::string access = std::string(r.json().at("access_token").as_string());

  r = http_call(port, http::verb::get, "/api/v1/users/me", "", access);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("email").as_string() == kUserEmail);
  CHECK(r.json().at("tenant_id").as_string() == kTenant);

  r = http_call(port, http::verb::post, "/api/v1/users",
                R"({"email":"new@example.com","username":"newbie","password":"long-enough"})");
  REQUIRE(r.status == 201);
  for (const char* key : {"id", "email", "username", "tenant_id", "created_at"}) {
    CHECK(r.json().contains(key));
  }
  r = http_call(port, http::verb::post, "/api/v1/users",
                R"({"email":"new@example.com","username":"newbie","password":"short"})");
  CHECK(r.status == 400);
  CHECK(r.error_code() == "validation_failed");
  CHECK(r.json().at("error").at("message").as_string() == "password must be at least 8 characters");
  r = http_call(port, http::verb::post, "/api/v1/users",
                R"({"email":"owner@example.com","username":"x","password":"long-enough"})");
  CHECK(r.status == 409);

  r = http_call(port, http::verb::get, "/api/v1/bots/someone-elses/conversations", "", access);
  CHECK(r.status == 404);
  CHECK(r.error_code() == "not_found");
  r = http_call(port, http::verb::get, "/api/v1/bots/b1/conversations");
  CHECK(r.status == 401);
  r = http_call(port, http::verb::post, "/api/v1/widget/pb_nobody/sessions");
  CHECK(r.status == 404);

  // Knowledge: JSON body, and a multipart upload larger than the default body limit (the
  // upload route allows MAX_UPLOAD_BYTES).
  r = http_call(port, http::verb::post, "/api/v1/bots/b1/knowledge",
                R"({"title":"FAQ","format":"markdown","body":"# Q\nA"})", access);
  REQUIRE(r.status == 201);
  CHECK(r.json().at("format").as_string() == "markdown");
  CHECK(r.json().at("title").as_string() == "FAQ");
  std::string file(100 * 1024, 'a');
  std::string multipart = "--B0undary\r\n"
                          "Content-Disposition: form-data; name=\"file\"; filename=\"prices.html\"\r\n"
                          "Content-Type: text/html\r\n\r\n" +
                          file + "\r\n--B0undary--\r\n";
  r = http_call(port, http::verb::post, "/api/v1/bots/b1/knowledge", multipart, access,
                "multipart/form-data; boundary=B0undary");
  REQUIRE(r.status == 201);
  CHECK(r.json().at("format").as_string() == "html");
  CHECK(r.json().at("title").as_string() == "prices.html");
  CHECK(r.json().at("size_bytes").as_int64() == 100 * 1024);
  for (const char* key : {"id", "chunk_count", "created_at"}) CHECK(r.json().contains(key));
  r = http_call(port, http::verb::post, "/api/v1/bots/b1/knowledge",
                R"({"title":"x","format":"pdf","body":"y"})", access);
  CHECK(r.status == 400);
  CHECK(r.error_code() == "validation_failed");

  r = http_call(port, http::verb::post, "/api/v1/auth/login", std::string(70 * 1024, ' '));
  CHECK(r.status == 413);
  CHECK(r.error_code() == "payload_too_large");

  r = http_call(port, http::verb::put, "/api/v1/bots", "{}", access);
  CHECK(r.status == 405);
  r = http_call(port, http::verb::get, "/api/v1/nothing-here");
  CHECK(r.status == 404);
  r = http_call(port, http::verb::options, "/api/v1/widget/pb_demo/sessions");
  CHECK(r.status == 204);
  CHECK(r.raw[http::field::access_control_allow_origin] == "*");
  CHECK(r.raw["X-Content-Type-Options"] == "nosniff");
  CHECK_FALSE(r.raw["X-Request-Id"].empty());

  r = http_call(port, http::verb::get, "/");
  CHECK(r.status == 200);
  CHECK(r.raw[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(r.body.find("BotFactory") != std::string::npos);
  CHECK(http_call(port, http::verb::get, "/../secret.txt").status == 404);
  CHECK(http_call(port, http::verb::get, "/%2e%2e/secret.txt").status == 404);
  CHECK(http_call(port, http::verb::post, "/index.html", "x").status == 405);

  r = http_call(port, http::verb::get, "/healthz");
  CHECK(r.status == 200);
  r = http_call(port, http::verb::get, "/readyz");
  CHECK(r.status == 200);
  CHECK(r.json().at("status").as_string() == "ready");

  auto session = widget_session(port);  // some traffic for the counters
  WsClient v(fleet.b->port(), session.token);
  REQUIRE(v.open());
  v.join(session.conversation_id, 0);
  v.read_type("conversation.joined");
  fleet.fakes.store_and_publish(session.conversation_id, "counted");
  CHECK(seq_of(v.read_json()) == 2);
  r = http_call(port, http::verb::get, "/metrics");
  CHECK(r.status == 200);
  CHECK(r.raw[http::field::content_type].starts_with("text/plain; version=0.0.4"));
  for (const char* name :
       {"gateway_http_requests_total{route=\"/api/v1/auth/login\",code=\"401\"}",
        "gateway_http_request_duration_seconds_bucket", "gateway_websockets_open",
        "gateway_ws_frames_in_total", "gateway_ws_frames_out_total",
        "gateway_fanout_deliveries_total", "gateway_ws_slow_consumer_closes_total",
        "gateway_ws_queued_bytes", "gateway_ws_queued_bytes_peak", "gateway_ws_budget_closes_total",
        "gateway_ws_reads_paused_total", "gateway_ws_token_expired_closes_total"}) {
    INFO(name);
    CHECK(r.body.find(name) != std::string::npos);
  }
  CHECK(gateway::GatewayMetrics::get().fanout_deliveries.value() > 0);
}

TEST_CASE("shutdown closes WebSockets with 1001 going away") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  WsClient v(fleet.a->port(), session.token);
  REQUIRE(v.open());
  v.join(session.conversation_id, 0);
  v.read_type("conversation.joined");
  std::thread stopper([&] { fleet.a->stop(); });
  beast::error_code ec;
  while (v.read(&ec)) {
  }
  stopper.join();
  CHECK(ec == websocket::error::closed);
  CHECK(v.close_reason().code == websocket::close_code::going_away);
  CHECK(fleet.a->connection_count() == 0);
}
