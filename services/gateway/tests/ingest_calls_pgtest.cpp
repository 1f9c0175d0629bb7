// INGEST_MAX_CALLS on real gRPC against the real channel-connector (in process, cct::Harness, a
// fresh database): PostMessage is slowed by a PostgreSQL row lock the test holds on the
// conversations, and channel-connector's gRPC service counts the calls it is serving. Held:
// the gateway never has more than INGEST_MAX_CALLS PostMessage calls open; sends beyond them
// wait in the gateway's FIFO while INGEST_MAX_IN_FLIGHT has room and are refused with
// `unavailable` + retry_after_ms past it (nothing stored); once the lock goes, every waiting
// message is stored and acknowledged. gwleft: REST room posts (POST /api/v1/rooms/{id}/messages)
// take their PostRoomMessage call's place in the same bound and FIFO. harden: a REST room post
// whose client left while it waited in that FIFO is not sent (gateway_ingest_rejected_total
// {reason="client_gone"}); a post whose client stays is.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

#include "botfactory/metrics/registry.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/server.hpp"
#include "channel_app.hpp"
#include "chat/channel_grpc_service.hpp"
#include "fake_services.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"
#include "chat/model_status.hpp"
#include "rooms/room_grpc_service.hpp"
#include "rooms/room_service.hpp"

using namespace botfactory::gateway_test;
namespace cc = botfactory::channel;
namespace cct = botfactory::channel::testing_support;
namespace pg = botfactory::pg;
namespace rpc = botfactory::rpc;
namespace testenv = botfactory::testenv;
namespace gateway = botfactory::gateway;

namespace {

/// PostMessage / PostRoomMessage calls channel-connector is serving now, and the most at once.
struct CallCount {
  std::atomic<int> open{0};
  std::atomic<int> most{0};
  /// Counts one call open until the returned guard goes.
  std::shared_ptr<void> enter() {
    int now = ++open;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    return std::shared_ptr<void>(nullptr, [this](void*) { --open; });
  }
};

/// channel-connector's gRPC service counting the PostMessage calls it serves at once.
class CountingChannelGrpc : public cc::ChannelConnectorGrpc {
 public:
  using cc::ChannelConnectorGrpc::ChannelConnectorGrpc;
  grpc::Status PostMessage(grpc::ServerContext* context, const botfactory::chat::v1::PostMessageRequest* request,
                           botfactory::chat::v1::PostMessageResponse* response) override {
    auto counted = calls.enter();
    return cc::ChannelConnectorGrpc::PostMessage(context, request, response);
  }
  CallCount calls;
};

/// gwleft: channel-connector's room service (PostRoomMessage only) counting into `calls` too.
class CountingRoomGrpc : public botfactory::chat::v1::RoomService::Service {
 public:
  CountingRoomGrpc(cc::RoomService& rooms, CallCount& calls) : rooms_(rooms), calls_(calls) {}
  grpc::Status PostRoomMessage(grpc::ServerContext* context, const botfactory::chat::v1::PostRoomMessageRequest* request,
                               botfactory::chat::v1::PostMessageResponse* response) override {
    auto counted = calls_.enter();
    return rooms_.PostRoomMessage(context, request, response);
  }

 private:
  cc::RoomGrpc rooms_;
  CallCount& calls_;
};

/// channel-connector (one pipeline thread) served on a port of its own behind call-counting
/// ChannelConnectorService and RoomService adapters that share one CallCount.
struct CountedConnector {
  cct::Harness connector{[](cc::ChannelSettings& s) { s.pipeline_threads = 1; }};
  CountingChannelGrpc counting{connector.app().chat(), &connector.app().model_status(),
                               &connector.app().edits()};
  CountingRoomGrpc counting_rooms{connector.app().rooms(), counting.calls};
  rpc::Server counted{"127.0.0.1:0", {&counting, &counting_rooms}};

  /// The counted services' address, for GatewaySettings::channel_addr.
  std::string address() const { return "127.0.0.1:" + std::to_string(counted.port()); }
};

/// A new tenant with a bot conversation and a public room named `room_name` (created by another
/// user, joined by the test user kUserId); that user's token and its WebSocket to the gateway on
/// `gw_port`, joined to the conversation.
struct RoomScene {
  std::string conversation;
  std::string room_id;
  std::string token;
  std::unique_ptr<WsClient> ws;
};

RoomScene room_scene(FakeUpstreams& fakes, cct::Harness& connector, unsigned short gw_port,
                     const std::string& room_name) {
  RoomScene scene;
  const std::string tenant = botfactory::common::random_uuid();
  auto bot = connector.registry.add_bot(tenant, "Help", "en", "");
  scene.conversation = connector.create_conversation(tenant, bot.id()).id();
  auto& rooms = connector.app().rooms();
  auto room = rooms.create(cc::Actor{tenant, "user", botfactory::common::random_uuid(), "olga"}, room_name, "", "public");
  scene.room_id = room.id();
  rooms.join(cc::Actor{tenant, "user", kUserId, "me"}, scene.room_id, "");
  scene.token = user_token(fakes, tenant);
  scene.ws = std::make_unique<WsClient>(gw_port, scene.token);
  REQUIRE(scene.ws->open());
  scene.ws->send_json({{"type", "conversation.join"}, {"conversation_id", scene.conversation}, {"since_seq", 0}});
  scene.ws->read_type("conversation.joined");
  return scene;
}

/// The slow channel-connector: a transaction on its own connection holding the row locks of the
/// scene's conversation and room, so that appends to either wait; COMMIT on it lets them go.
std::unique_ptr<pg::Connection> lock_scene(cct::Harness& connector, const RoomScene& scene) {
  auto blocker = std::make_unique<pg::Connection>(connector.conninfo());
  blocker->exec("BEGIN");
  blocker->exec("SELECT id FROM chat.conversations WHERE id = ANY($1::uuid[]) FOR UPDATE",
                {"{" + scene.conversation + "," + scene.room_id + "}"});
  return blocker;
}

}  // namespace

TEST_CASE("ingest: at most INGEST_MAX_CALLS PostMessage calls reach a slow channel-connector; "
          "the rest wait in the gateway or are refused with retry_after_ms") {
  constexpr int kMaxCalls = 2;
  constexpr int kMaxInFlight = 4;
  constexpr int kConversations = 6;
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  cct::Harness connector([](cc::ChannelSettings& s) { s.pipeline_threads = 1; });
  CountingChannelGrpc counting(connector.app().chat(), &connector.app().model_status(),
                               &connector.app().edits());
  rpc::Server counted("127.0.0.1:0", {&counting});
  Instance gw{fakes.address(), [&](gateway::GatewaySettings& s) {
                s.channel_addr = "127.0.0.1:" + std::to_string(counted.port());
                s.ingest_max_calls = kMaxCalls;
                s.ingest_max_in_flight = kMaxInFlight;
                s.ws_max_in_flight_per_socket = 64;
                s.ws_rate_per_sec = 10000;
                s.ws_burst = 10000;
              }};
  const std::string tenant = botfactory::common::random_uuid();
  auto bot = connector.registry.add_bot(tenant, "Help", "en", "");
  std::vector<std::string> conversations;
  for (int i = 0; i < kConversations; ++i) {
    conversations.push_back(connector.create_conversation(tenant, bot.id()).id());
  }
  WsClient ws(gw.port(), user_token(fakes, tenant));
  REQUIRE(ws.open());
  for (const auto& id : conversations) {
    ws.send_json({{"type", "conversation.join"}, {"conversation_id", id}, {"since_seq", 0}});
    ws.read_type("conversation.joined");
  }

  // The slow channel-connector: every append waits for the conversation row this test locks.
  pg::Connection blocker(connector.conninfo());
  blocker.exec("BEGIN");
  std::string ids = "{";
  for (const auto& id : conversations) ids += (ids.size() > 1 ? "," : "") + id;
  ids += "}";
  blocker.exec("SELECT id FROM chat.conversations WHERE id = ANY($1::uuid[]) FOR UPDATE", {ids});
  const auto before = connector.count("SELECT count(*) FROM chat.messages");

  for (int i = 0; i < kConversations; ++i) {
    ws.send_json({{"type", "message.send"},
                  {"conversation_id", conversations[static_cast<std::size_t>(i)]},
                  {"client_id", "m" + std::to_string(i)},
                  {"text", "hello " + std::to_string(i)}});
  }
  // Past INGEST_MAX_IN_FLIGHT: refused at once, with a retry hint.
  for (int i = 0; i < kConversations - kMaxInFlight; ++i) {
    auto answer = next_answer(ws);
    INFO(json::serialize(answer));
    REQUIRE(answer.at("type").as_string() == "error");
    CHECK(answer.at("code").as_string() == "unavailable");
    CHECK(answer.at("retry_after_ms").as_int64() > 0);
  }
  REQUIRE(cct::wait_until([&] { return counting.calls.open.load() == kMaxCalls; }));
  // The other admitted messages wait in the gateway: still two calls open, never more.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(counting.calls.open.load() == kMaxCalls);
  CHECK(counting.calls.most.load() == kMaxCalls);

  blocker.exec("COMMIT");
  std::vector<std::string> acked;
  for (int i = 0; i < kMaxInFlight; ++i) {
    auto answer = next_answer(ws);
    INFO(json::serialize(answer));
    REQUIRE(answer.at("type").as_string() == "message.ack");
    acked.emplace_back(answer.at("client_id").as_string());
  }
  std::sort(acked.begin(), acked.end());
  CHECK(acked == std::vector<std::string>{"m0", "m1", "m2", "m3"});
  CHECK(counting.calls.most.load() == kMaxCalls);
  CHECK(connector.count("SELECT count(*) FROM chat.messages") == before + kMaxInFlight);
  ws.close();
}

TEST_CASE("ingest: REST room posts share the INGEST_MAX_CALLS places with message.send") {
  constexpr int kMaxCalls = 2;
  constexpr int kRestPosts = 4;
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  CountedConnector rig;
  auto& connector = rig.connector;
  Instance gw{fakes.address(), [&](gateway::GatewaySettings& s) {
                s.channel_addr = rig.address();
                s.ingest_max_calls = kMaxCalls;
                s.ingest_max_in_flight = 64;
                s.ws_max_in_flight_per_socket = 64;
                s.ws_rate_per_sec = 10000;
                s.ws_burst = 10000;
              }};
  auto scene = room_scene(fakes, connector, gw.port(), "Calls");
  const std::string& conversation = scene.conversation;
  const std::string& token = scene.token;
  WsClient& ws = *scene.ws;

  auto blocker = lock_scene(connector, scene);
  const auto before = connector.count("SELECT count(*) FROM chat.messages");

  // A WebSocket message takes one of the two places ...
  ws.send_json({{"type", "message.send"}, {"conversation_id", conversation}, {"client_id", "ws-1"}, {"text", "hi"}});
  REQUIRE(cct::wait_until([&] { return rig.counting.calls.open.load() == 1; }));
  // ... then a burst of REST room posts: one more call goes out, the rest wait in the gateway.
  std::vector<HttpResult> answers(kRestPosts);
  std::vector<std::thread> posts;
  for (int i = 0; i < kRestPosts; ++i) {
    std::string body = R"({"client_id":"rest-)" + std::to_string(i) + R"(","text":"hello"})";
    auto text = request_head("POST", "/api/v1/rooms/" + scene.room_id + "/messages",
                             {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                             body.size()) + body;
    posts.emplace_back([&, i, text] { answers[static_cast<std::size_t>(i)] = http_exchange(gw.port(), text, 30000ms); });
  }
  REQUIRE(cct::wait_until([&] { return rig.counting.calls.open.load() >= kMaxCalls; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // time for a call to pass the bound
  CHECK(rig.counting.calls.open.load() == kMaxCalls);
  CHECK(rig.counting.calls.most.load() == kMaxCalls);  // without the shared bound: 1 + 4

  blocker->exec("COMMIT");
  for (auto& t : posts) t.join();
  for (const auto& answer : answers) {
    INFO(answer.body);
    CHECK(answer.status == 201);
  }
  auto ack = next_answer(ws);
  INFO(json::serialize(ack));
  CHECK(ack.at("type").as_string() == "message.ack");
  CHECK(rig.counting.calls.most.load() == kMaxCalls);
  CHECK(connector.count("SELECT count(*) FROM chat.messages") == before + 1 + kRestPosts);
  ws.close();
}

TEST_CASE("ingest: a queued REST room post whose client left is not sent to channel-connector") {
  constexpr int kGone = 3;
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  CountedConnector rig;
  auto& connector = rig.connector;
  Instance gw{fakes.address(), [&](gateway::GatewaySettings& s) {
                s.channel_addr = rig.address();
                s.ingest_max_calls = 1;
                s.ingest_max_in_flight = 64;
                s.ws_max_in_flight_per_socket = 64;
              }};
  auto scene = room_scene(fakes, connector, gw.port(), "Gone");
  const std::string& conversation = scene.conversation;
  const std::string& token = scene.token;
  WsClient& ws = *scene.ws;
  auto& registry = botfactory::metrics::Registry::global();
  auto& queued = registry.gauge("gateway_ingest_calls_queued", "");
  auto& gone = registry.counter("gateway_ingest_rejected_total", "", R"(reason="client_gone")");
  const auto gone_before = gone.value();
  const auto queued_before = queued.value();

  // The only place on the wire: a WebSocket message held by the lock.
  auto blocker = lock_scene(connector, scene);
  const auto before = connector.count("SELECT count(*) FROM chat.messages");
  ws.send_json({{"type", "message.send"}, {"conversation_id", conversation}, {"client_id", "ws-1"}, {"text", "hi"}});
  REQUIRE(cct::wait_until([&] { return rig.counting.calls.open.load() == 1; }));

  // Posts that wait in the gateway's FIFO: kGone whose clients leave, then one that stays.
  auto post_text = [&](const std::string& client_id) {
    std::string body = R"({"client_id":")" + client_id + R"(","text":"hello"})";
    return request_head("POST", "/api/v1/rooms/" + scene.room_id + "/messages",
                        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                        body.size()) + body;
  };
  net::io_context io;
  std::vector<std::unique_ptr<tcp::socket>> leaving;
  for (int i = 0; i < kGone; ++i) {
    auto socket = std::make_unique<tcp::socket>(io);
    socket->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), gw.port()));
    net::write(*socket, net::buffer(post_text("gone-" + std::to_string(i))));
    leaving.push_back(std::move(socket));
    REQUIRE(cct::wait_until([&] { return queued.value() == queued_before + i + 1; }));  // FIFO order
  }
  HttpResult stays;
  std::thread staying([&] { stays = http_exchange(gw.port(), post_text("stays"), 30000ms); });
  REQUIRE(cct::wait_until([&] { return queued.value() == queued_before + kGone + 1; }));
  for (auto& socket : leaving) socket->close();  // the clients leave before their turn

  blocker->exec("COMMIT");
  auto ack = next_answer(ws);
  INFO(json::serialize(ack));
  CHECK(ack.at("type").as_string() == "message.ack");
  staying.join();
  INFO(stays.body);
  CHECK(stays.status == 201);
  CHECK(gone.value() == gone_before + kGone);  // without the check: 0, and kGone more rows
  CHECK(connector.count("SELECT count(*) FROM chat.messages") == before + 2);  // ws-1 and "stays"
  CHECK(connector.count("SELECT count(*) FROM chat.messages WHERE client_id LIKE 'gone-%'") == 0);
  CHECK(queued.value() == queued_before);
  CHECK(rig.counting.calls.most.load() == 1);
  ws.close();
}
