// Takeover, handback, a visitor's request for a person and typing, end to end over real
// sockets: two gateway replicas, the real test Redis, the chat fake (fake_upstreams.cpp, with
// channel-connector's state rules; the rules themselves are held by channel-connector's
// conversation_state_pgtest).
#include <catch2/catch.hpp>

#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

namespace {

HttpResult post_state(unsigned short port, const std::string& conversation_id, const char* action,
                      const std::string& token) {
  return http_call(port, http::verb::post,
                   "/api/v1/conversations/" + conversation_id + "/" + action, "", token);
}

void check_state(const json::object& frame, const std::string& conversation_id,
                 const char* handler, bool waiting) {
  CHECK(frame.at("type").as_string() == "conversation.state");
  CHECK(frame.at("conversation_id").as_string() == conversation_id);
  CHECK(frame.at("handler").as_string() == handler);
  CHECK(frame.at("waiting_for_human").as_bool() == waiting);
}

}  // namespace

TEST_CASE("a visitor asks for a person, an operator takes over and hands back; every socket sees it") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  WsClient visitor(fleet.a->port(), session.token);
  REQUIRE(visitor.open());
  visitor.join(session.conversation_id, 0);
  auto joined = visitor.read_type("conversation.joined");
  CHECK(joined.at("handler").as_string() == "bot");
  CHECK_FALSE(joined.at("waiting_for_human").as_bool());

  auto owner = user_token(fleet.fakes, kTenant);
  WsClient op(fleet.b->port(), owner);
  REQUIRE(op.open());
  op.join(session.conversation_id, 0);
  op.read_type("conversation.joined");

  // A frame for a conversation the socket has not joined is refused.
  visitor.send_json({{"type", "handoff.request"}, {"conversation_id", "another"}});
  CHECK(visitor.read_type("error").at("code").as_string() == "not_joined");

  visitor.send_json({{"type", "handoff.request"}, {"conversation_id", session.conversation_id}});
  // The requester gets the answer and the fan-out's copy (in either order), the operator one.
  check_state(visitor.read_type("conversation.state"), session.conversation_id, "bot", true);
  check_state(visitor.read_type("conversation.state"), session.conversation_id, "bot", true);
  check_state(op.read_type("conversation.state"), session.conversation_id, "bot", true);

  // Operators take over over REST, not with handoff.request.
  op.send_json({{"type", "handoff.request"}, {"conversation_id", session.conversation_id}});
  CHECK(op.read_type("error").at("code").as_string() == "forbidden");

  auto taken = post_state(fleet.a->port(), session.conversation_id, "takeover", owner);
  REQUIRE(taken.status == 200);
  CHECK(taken.json().at("id").as_string() == session.conversation_id);
  CHECK(taken.json().at("handler").as_string() == "human");
  CHECK_FALSE(taken.json().at("waiting_for_human").as_bool());
  check_state(visitor.read_type("conversation.state"), session.conversation_id, "human", false);
  check_state(op.read_type("conversation.state"), session.conversation_id, "human", false);

  // A socket joining now learns the state in conversation.joined.
  WsClient late(fleet.b->port(), session.token);
  REQUIRE(late.open());
  late.join(session.conversation_id, 0);
  CHECK(late.read_type("conversation.joined").at("handler").as_string() == "human");

  auto back = post_state(fleet.b->port(), session.conversation_id, "handback", owner);
  REQUIRE(back.status == 200);
  CHECK(back.json().at("handler").as_string() == "bot");
  check_state(visitor.read_type("conversation.state"), session.conversation_id, "bot", false);

  // Who may not: a visitor token (403), another tenant (404), no token (401).
  CHECK(post_state(fleet.a->port(), session.conversation_id, "takeover", session.token).status ==
        403);
  auto stranger = post_state(fleet.a->port(), session.conversation_id, "takeover",
                             user_token(fleet.fakes, kOtherTenant));
  CHECK(stranger.status == 404);
  CHECK(stranger.json().at("error").at("code").as_string() == "not_found");
  CHECK(post_state(fleet.a->port(), session.conversation_id, "handback", "").status == 401);
  CHECK(http_call(fleet.a->port(), http::verb::get,
                  "/api/v1/conversations/" + session.conversation_id + "/takeover", "", owner)
            .status == 405);
}

TEST_CASE("typing is relayed to the other sockets with its sender, throttled, never echoed") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  WsClient visitor(fleet.a->port(), session.token);
  REQUIRE(visitor.open());
  visitor.join(session.conversation_id, 0);
  visitor.read_type("conversation.joined");
  WsClient op(fleet.b->port(), user_token(fleet.fakes, kTenant));
  REQUIRE(op.open());
  op.join(session.conversation_id, 0);
  op.read_type("conversation.joined");

  auto typing = [&](WsClient& client, const char* state) {
    client.send_json(
        {{"type", "typing"}, {"conversation_id", session.conversation_id}, {"state", state}});
  };
  typing(visitor, "start");
  typing(visitor, "start");  // within 2 s: not relayed
  typing(visitor, "stop");
  auto start = op.read_type("typing");
  CHECK(start.at("conversation_id").as_string() == session.conversation_id);
  CHECK(start.at("state").as_string() == "start");
  CHECK(start.at("sender").at("kind").as_string() == "visitor");
  CHECK(start.at("sender").at("name").as_string() == "Ann");
  // The next typing frame is the stop: the repeated start was throttled.
  CHECK(op.read_type("typing").at("state").as_string() == "stop");

  typing(op, "start");
  auto from_op = visitor.read_type("typing");
  CHECK(from_op.at("sender").at("kind").as_string() == "operator");
  CHECK(from_op.at("sender").at("id").as_string() == kUserId);
  CHECK(from_op.at("sender").at("name").as_string() == "owner");
  // The visitor's first typing frame was the operator's, so its own never came back (Redis
  // delivers in publish order). Nor does the operator's: a message it posts after the typing
  // reaches it with no typing frame before it.
  op.send_json({{"type", "message.send"},
                {"conversation_id", session.conversation_id},
                {"client_id", "op-1"},
                {"text", "Hello from a person"}});
  std::vector<json::object> skipped;
  op.read_type("message.new", &skipped);
  for (const auto& frame : skipped) CHECK(frame.at("type").as_string() != "typing");

  typing(visitor, "sideways");
  CHECK(visitor.read_type("error").at("code").as_string() == "invalid_message");
  visitor.send_json({{"type", "typing"}, {"conversation_id", "another"}, {"state", "start"}});
  CHECK(visitor.read_type("error").at("code").as_string() == "not_joined");
}
