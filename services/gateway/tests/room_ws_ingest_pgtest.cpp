// roomcore: room posts over the WebSocket through the real gateway and the real
// channel-connector (in process, fresh database, test Redis). message.send to a room goes out
// on gRPC's callback API like a conversation's (no worker thread waits): one socket's sends
// are acknowledged in send order with rising seq; a member removed meanwhile is refused
// (`forbidden`, checked inside the append); room.history and a resume by since_seq carry the
// `message.edited` / `message.deleted` frames of the merged history. harden: REST room posts
// share the gateway's INGEST_MAX_IN_FLIGHT slots with message.send; a room call.invite rings
// only while its caller is a member.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <sstream>
#include <thread>

#include "botfactory/pg/connection.hpp"
#include "botfactory/pg/pool.hpp"
#include "channel_app.hpp"
#include "fake_services.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"
#include "chat/message_edits.hpp"
#include "rooms/room_service.hpp"

using namespace botfactory::gateway_test;
namespace common = botfactory::common;
namespace pg = botfactory::pg;
namespace testenv = botfactory::testenv;
namespace gateway = botfactory::gateway;
namespace cc = botfactory::channel;
namespace cct = botfactory::channel::testing_support;
namespace commonv1 = botfactory::common::v1;

namespace {

/// The settings tweak of the channel-connector these tests run (the shared cct::Harness: the
/// real wiring, chat and room services on one gRPC port, a fresh database): one pipeline thread.
void one_pipeline_thread(cc::ChannelSettings& s) { s.pipeline_threads = 1; }

void send_message(WsClient& ws, const std::string& room, const std::string& client_id) {
  ws.send_json({{"type", "message.send"}, {"conversation_id", room}, {"client_id", client_id},
                {"text", "hello " + client_id}});
}

}  // namespace

TEST_CASE("room ingest: WebSocket room posts are asynchronous, ordered per socket, members only; history shows edits") {
  cct::Harness connector(one_pipeline_thread);
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance gateway{fakes.address(), [&](gateway::GatewaySettings& s) {
                     s.channel_addr = connector.address();
                     s.ws_rate_per_sec = 10000;
                     s.ws_burst = 10000;
                     s.ws_max_in_flight_per_socket = 64;
                   }};
  auto& rooms = connector.app().rooms();
  const std::string tenant = common::random_uuid();
  cc::Actor owner{tenant, "user", common::random_uuid(), "olga"};
  auto room = rooms.create(owner, "Ingest", "", "public");
  rooms.join(cc::Actor{tenant, "user", kUserId, "me"}, room.id(), "");  // the socket's user

  WsClient ws(gateway.port(), user_token(fakes, tenant));
  REQUIRE(ws.open());
  ws.send_json({{"type", "room.join"}, {"room_id", room.id()}, {"since_seq", 0}});
  ws.read_type("room.joined");

  // A burst from one socket: acknowledged in send order, seq rising (one call on the wire per
  // conversation at a time, the rest waiting in the socket's ingest lane).
  constexpr int kBurst = 40;
  for (int i = 0; i < kBurst; ++i) send_message(ws, room.id(), "b" + std::to_string(i));
  std::int64_t last = 0;
  for (int i = 0; i < kBurst; ++i) {
    auto answer = next_answer(ws);
    INFO(json::serialize(answer));
    REQUIRE(answer.at("type").as_string() == "message.ack");
    CHECK(answer.at("client_id").as_string() == "b" + std::to_string(i));
    CHECK(seq_of(answer) > last);
    last = seq_of(answer);
  }

  // Edits merged into history: the owner edits its message, deletes another.
  auto own = rooms.post(owner, room.id(), "o1", "first draft").message().seq();
  auto gone = rooms.post(owner, room.id(), "o2", "oops").message().seq();
  cc::EditActor as_owner{commonv1::SENDER_KIND_OPERATOR, owner.id};
  auto edited = connector.app().edits().edit(tenant, room.id(), own, as_owner, "final text");
  auto deleted = connector.app().edits().remove(tenant, room.id(), gone, as_owner);
  ws.send_json({{"type", "room.history"}, {"room_id", room.id()}, {"before_seq", 0}, {"limit", 200}});
  auto history = ws.read_type("room.history");
  std::map<std::int64_t, json::object> by_seq;
  for (const auto& m : history.at("messages").as_array()) {
    by_seq[m.as_object().at("seq").as_int64()] = m.as_object();
  }
  REQUIRE(by_seq.count(edited.seq()));
  CHECK(by_seq[edited.seq()].at("type").as_string() == "message.edited");
  CHECK(by_seq[edited.seq()].at("target_seq").as_int64() == own);
  CHECK(by_seq[deleted.seq()].at("type").as_string() == "message.deleted");
  CHECK(by_seq[own].at("message").at("text").as_string() == "final text");
  CHECK(by_seq[own].at("message").as_object().contains("edited_at"));
  CHECK(by_seq[gone].at("message").at("text").as_string().empty());
  CHECK(by_seq[gone].at("message").at("deleted").as_bool());

  // A second socket resuming after the burst replays the edit and delete events.
  WsClient resumed(gateway.port(), user_token(fakes, tenant));
  REQUIRE(resumed.open());
  resumed.send_json({{"type", "room.join"}, {"room_id", room.id()}, {"since_seq", last}});
  std::vector<json::object> replay;
  resumed.read_type("room.joined", &replay);
  std::vector<std::string> types;
  for (const auto& f : replay) types.push_back(std::string(f.at("type").as_string()));
  CHECK(std::count(types.begin(), types.end(), "message.edited") == 1);
  CHECK(std::count(types.begin(), types.end(), "message.deleted") == 1);
  resumed.close();

  // REST posts take the same asynchronous path: 201, a resend 200 with the same message.
  auto token = user_token(fakes, tenant);
  auto path = "/api/v1/rooms/" + room.id() + "/messages";
  auto created = http_call(gateway.port(), http::verb::post, path,
                           R"({"client_id":"rest-1","text":"over REST"})", token);
  REQUIRE(created.status == 201);
  auto rest_seq = created.json().at("seq").as_int64();
  CHECK(rest_seq > deleted.seq());
  auto again = http_call(gateway.port(), http::verb::post, path,
                         R"({"client_id":"rest-1","text":"over REST"})", token);
  CHECK(again.status == 200);
  CHECK(again.json().at("seq").as_int64() == rest_seq);
  CHECK(http_call(gateway.port(), http::verb::post, path, R"({"client_id":"rest-2","text":""})", token)
            .status == 400);
  // The REST listing (before_seq) carries the edit events too.
  auto listed = http_call(gateway.port(), http::verb::get,
                          path + "?before_seq=" + std::to_string(rest_seq) + "&limit=3", {}, token);
  REQUIRE(listed.status == 200);
  auto page = listed.json().at("messages").as_array();
  REQUIRE(page.size() == 3);
  // ... own, gone, edited, deleted, rest-1: the 3 before rest-1 are the tombstone and the events.
  CHECK(page[0].at("deleted").as_bool());
  CHECK(page[1].at("event").as_string() == "edited");
  CHECK(page[2].at("event").as_string() == "deleted");
  CHECK(page[2].at("target_seq").as_int64() == gone);

  // Removed: the next post is refused by channel-connector, nothing stored.
  rooms.remove_member(owner, room.id(), "user", kUserId);
  CHECK(http_call(gateway.port(), http::verb::post, path,
                  R"({"client_id":"rest-3","text":"after removal"})", token)
            .status == 403);
  send_message(ws, room.id(), "after-removal");
  auto refused = next_answer(ws);
  INFO(json::serialize(refused));
  CHECK(refused.at("type").as_string() == "error");
  // The socket left the room at its member.removed frame (not_joined); a send that raced that
  // frame is refused by channel-connector inside the append (forbidden). Never stored.
  auto code = refused.at("code").as_string();
  CHECK((code == "not_joined" || code == "forbidden"));
  {
    auto connection = connector.pool().acquire();
    CHECK(connection->exec("SELECT count(*) FROM chat.messages WHERE client_id = 'after-removal'")
              .int64(0, 0) == 0);
  }
  ws.close();
}

TEST_CASE("room ingest: REST room posts hold an INGEST_MAX_IN_FLIGHT slot shared with message.send") {
  cct::Harness connector(one_pipeline_thread);
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance gateway{fakes.address(), [&](gateway::GatewaySettings& s) {
                     s.channel_addr = connector.address();
                     s.ingest_max_in_flight = 1;  // one message in flight per gateway
                     s.ingest_max_queue_wait_ms = 1500;
                   }};
  auto& rooms = connector.app().rooms();
  const std::string tenant = common::random_uuid();
  cc::Actor owner{tenant, "user", common::random_uuid(), "olga"};
  auto room = rooms.create(owner, "Bound", "", "public");
  rooms.join(cc::Actor{tenant, "user", kUserId, "me"}, room.id(), "");
  auto token = user_token(fakes, tenant);
  const auto path = "/api/v1/rooms/" + room.id() + "/messages";
  WsClient ws(gateway.port(), token);
  REQUIRE(ws.open());
  ws.send_json({{"type", "room.join"}, {"room_id", room.id()}, {"since_seq", 0}});
  ws.read_type("room.joined");

  // A slow append: the room's row is locked by the test, so a post waits inside channel-connector.
  pg::Connection blocker(connector.conninfo());
  blocker.exec("BEGIN");
  blocker.exec("SELECT id FROM chat.conversations WHERE id = $1::uuid FOR UPDATE", {room.id()});
  http::request<http::string_body> slow(http::verb::post, path, 11);
  slow.set(http::field::host, "127.0.0.1");
  slow.set(http::field::authorization, "Bearer " + token);
  slow.set(http::field::content_type, "application/json");
  slow.body() = R"({"client_id":"held-1","text":"slow"})";
  slow.prepare_payload();
  std::ostringstream slow_text;
  slow_text << slow;
  HttpResult held;  // http_exchange makes no assertions: safe off the test's thread
  std::thread first([&] { held = http_exchange(gateway.port(), slow_text.str(), 30000ms); });
  auto waiting = [&] {
    pg::Connection probe(connector.conninfo());
    return probe.exec("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND wait_event_type = 'Lock'").int64(0, 0) > 0;
  };
  REQUIRE(cct::wait_until(waiting));

  // The REST post holds the gateway's only slot: a WebSocket send is refused at once ...
  send_message(ws, room.id(), "ws-over");
  auto refused = next_answer(ws);
  INFO(json::serialize(refused));
  CHECK(refused.at("type").as_string() == "error");
  CHECK(refused.at("code").as_string() == "unavailable");
  CHECK(refused.at("retry_after_ms").as_int64() == 1500);
  // ... and so is a second REST post: 503 JSON with Retry-After (1500 ms rounded up), not sent on.
  auto over = http_call(gateway.port(), http::verb::post, path, R"({"client_id":"rest-over","text":"x"})", token);
  CHECK(over.status == 503);
  CHECK(over.error_code() == "unavailable");
  CHECK(over.raw[http::field::retry_after] == "2");

  blocker.exec("COMMIT");
  first.join();
  CHECK(held.status == 201);
  // The slot is back: both paths are admitted again.
  CHECK(http_call(gateway.port(), http::verb::post, path, R"({"client_id":"rest-after","text":"y"})", token)
            .status == 201);
  send_message(ws, room.id(), "ws-after");
  CHECK(next_answer(ws).at("type").as_string() == "message.ack");
  {
    auto connection = connector.pool().acquire();
    CHECK(connection->exec("SELECT count(*) FROM chat.messages WHERE client_id IN ('ws-over', 'rest-over')")
              .int64(0, 0) == 0);
  }
  ws.close();
}

TEST_CASE("room calls: a member rings; a caller that is no member any more gets a forbidden error") {
  cct::Harness connector(one_pipeline_thread);
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  Instance gateway{fakes.address(), [&](gateway::GatewaySettings& s) { s.channel_addr = connector.address(); }};
  auto& rooms = connector.app().rooms();
  const std::string tenant = common::random_uuid();
  cc::Actor owner{tenant, "user", common::random_uuid(), "olga"};
  auto room = rooms.create(owner, "Calls", "", "public");
  rooms.join(cc::Actor{tenant, "user", kUserId, "me"}, room.id(), "");
  WsClient ws(gateway.port(), user_token(fakes, tenant));
  REQUIRE(ws.open());
  ws.send_json({{"type", "room.join"}, {"room_id", room.id()}, {"since_seq", 0}});
  ws.read_type("room.joined");
  auto invite = [&] {
    ws.send_json({{"type", "call.invite"}, {"conversation_id", room.id()}, {"sdp", "v=0"},
                  {"to", {{"kind", "operator"}, {"id", owner.id}}}});
    for (int i = 0; i < 100; ++i) {
      auto frame = ws.read_json();
      auto type = frame.at("type").as_string();
      if (type == "error" || type == "call.ringing" || type == "call.busy") return frame;
    }
    FAIL("no answer to call.invite");
    return json::object{};
  };

  // A member rings the owner; the caller hangs up.
  auto ringing = invite();
  INFO(json::serialize(ringing));
  REQUIRE(ringing.at("type").as_string() == "call.ringing");
  ws.send_json({{"type", "call.hangup"}, {"conversation_id", room.id()},
                {"call_id", ringing.at("call_id")}});

  // Its membership goes without an event reaching the socket (a removal whose member.removed
  // frame the socket has not handled yet): the socket is still joined, the invite is refused.
  {
    auto connection = connector.pool().acquire();
    connection->exec("DELETE FROM chat.room_members WHERE room_id = $1::uuid AND member_kind = 'user' "
                     "AND member_id = $2", {room.id(), std::string(kUserId)});
  }
  auto refused = invite();
  INFO(json::serialize(refused));
  CHECK(refused.at("type").as_string() == "error");
  CHECK(refused.at("code").as_string() == "forbidden");
  CHECK(refused.at("conversation_id").as_string() == room.id());
  CHECK(std::string(refused.at("message").as_string()).find("member") != std::string::npos);
  ws.close();
}
