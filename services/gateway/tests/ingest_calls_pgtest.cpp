// INGEST_MAX_CALLS on real gRPC against the real channel-connector (in process, cct::Harness, a
// fresh database): PostMessage is slowed by a PostgreSQL row lock the test holds on the
// conversations, and channel-connector's gRPC service counts the calls it is serving. Held:
// the gateway never has more than INGEST_MAX_CALLS PostMessage calls open; sends beyond them
// wait in the gateway's FIFO while INGEST_MAX_IN_FLIGHT has room and are refused with
// `unavailable` + retry_after_ms past it (nothing stored); once the lock goes, every waiting
// message is stored and acknowledged.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

#include "botfactory/pg/connection.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/server.hpp"
#include "channel_app.hpp"
#include "chat/channel_grpc_service.hpp"
#include "fake_services.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"
#include "chat/model_status.hpp"

using namespace botfactory::gateway_test;
namespace cc = botfactory::channel;
namespace cct = botfactory::channel::testing_support;
namespace pg = botfactory::pg;
namespace rpc = botfactory::rpc;
namespace testenv = botfactory::testenv;
namespace gateway = botfactory::gateway;

namespace {

/// channel-connector's gRPC service counting the PostMessage calls it serves at once.
class CountingChannelGrpc : public cc::ChannelConnectorGrpc {
 public:
  using cc::ChannelConnectorGrpc::ChannelConnectorGrpc;
  grpc::Status PostMessage(grpc::ServerContext* context, const botfactory::chat::v1::PostMessageRequest* request,
                           botfactory::chat::v1::PostMessageResponse* response) override {
    int now = ++open;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    auto status = cc::ChannelConnectorGrpc::PostMessage(context, request, response);
    --open;
    return status;
  }
  std::atomic<int> open{0};
  std::atomic<int> most{0};
};

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
  REQUIRE(cct::wait_until([&] { return counting.open.load() == kMaxCalls; }));
  // The other admitted messages wait in the gateway: still two calls open, never more.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(counting.open.load() == kMaxCalls);
  CHECK(counting.most.load() == kMaxCalls);

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
  CHECK(counting.most.load() == kMaxCalls);
  CHECK(connector.count("SELECT count(*) FROM chat.messages") == before + kMaxInFlight);
  ws.close();
}
