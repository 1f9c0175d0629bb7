// live: the `message.feedback` event (docs/protocol.md "Answer feedback") through two real
// gateway replicas, the real channel-connector (in process, fresh database; the bot pipeline
// writes the rated reply through its fake ai-proxy) and the real test Redis: a rating PUT on
// replica A reaches the conversation's sockets on replica B (an operator, the visitor's second
// tab) and the rater's own socket; sockets of another conversation of the tenant and of another
// tenant get nothing; a refused write publishes nothing.

#include <catch2/catch.hpp>

#include "channel_app.hpp"
#include "chat/chat_service.hpp"
#include "fake_services.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"

using namespace botfactory::gateway_test;
namespace common = botfactory::common;
namespace testenv = botfactory::testenv;
namespace gateway = botfactory::gateway;
namespace cc = botfactory::channel;
namespace cct = botfactory::channel::testing_support;
namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;

namespace {

/// A 10-minute user token of `tenant` with team role "operator".
std::string operator_token(const FakeUpstreams& fakes, const std::string& tenant) {
  botfactory::jwt::Claims claims;
  claims.subject = "u-op-" + common::random_base62(6);
  claims.tenant_id = tenant;
  claims.role = "operator";
  return fakes.signer().sign(claims, std::chrono::seconds(600));
}

/// Posts a visitor question to `conversation` and returns the seq of the bot's reply.
std::int64_t ask(cct::Harness& connector, const std::string& conversation, const std::string& text) {
  chatv1::PostMessageResponse posted;
  REQUIRE(connector.post(conversation, "q-1", commonv1::SENDER_KIND_VISITOR, text, &posted).ok());
  std::int64_t reply = 0;
  REQUIRE(cct::wait_until([&] {
    for (const auto& m : connector.messages(conversation)) {
      if (m.seq() > posted.message().seq() && m.sender().kind() == commonv1::SENDER_KIND_BOT) reply = m.seq();
    }
    return reply > 0;
  }));
  return reply;
}

/// A socket on `port` with `token`, joined to `conversation`.
std::unique_ptr<WsClient> joined(unsigned short port, const std::string& token,
                                 const std::string& conversation) {
  auto ws = std::make_unique<WsClient>(port, token);
  REQUIRE(ws->open());
  ws->send_json({{"type", "conversation.join"}, {"conversation_id", conversation}, {"since_seq", 0}});
  ws->read_type("conversation.joined");
  return ws;
}

HttpResult rate(unsigned short port, const std::string& conversation, std::int64_t seq,
                const std::string& body, const std::string& token) {
  return http_call(port, http::verb::put,
                   "/api/v1/conversations/" + conversation + "/messages/" + std::to_string(seq) +
                       "/feedback",
                   body, token);
}

/// The next message.feedback frame of `ws`; REQUIREs that no other message.feedback came first
/// (the frames skipped on the way are of other types).
json::object next_feedback(WsClient& ws) {
  std::vector<json::object> skipped;
  auto frame = ws.read_type("message.feedback", &skipped);
  for (const auto& f : skipped) CHECK(f.at("type").as_string() != "message.feedback");
  return frame;
}

}  // namespace

TEST_CASE("message.feedback: a rating on replica A reaches the conversation's sockets on B, nobody else's") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  cct::Harness connector([](cc::ChannelSettings& s) { s.pipeline_threads = 1; });
  auto tweak = [&](gateway::GatewaySettings& s) { s.channel_addr = connector.address(); };
  Instance a{fakes.address(), tweak};
  Instance b{fakes.address(), tweak};
  REQUIRE(cct::wait_until([&] { return a.gateway->redis_connected() && b.gateway->redis_connected(); },
                          std::chrono::seconds(5)));

  const std::string tenant = common::random_uuid();
  const std::string other_tenant = common::random_uuid();
  auto bot = connector.registry.add_bot(tenant, "Help", "en", "");
  auto their_bot = connector.registry.add_bot(other_tenant, "Theirs", "en", "");
  auto conversation = connector.create_conversation(tenant, bot.id(), "Ann").id();
  auto neighbour = connector.create_conversation(tenant, bot.id(), "Bob").id();
  auto theirs = connector.create_conversation(other_tenant, their_bot.id(), "Eve").id();
  auto reply = ask(connector, conversation, "What are your opening hours?");
  auto visitor = visitor_token(fakes, tenant, bot.id(), conversation);
  auto op = operator_token(fakes, tenant);
  auto stranger = operator_token(fakes, other_tenant);

  auto rater = joined(a.port(), visitor, conversation);        // the tab that rates
  auto second_tab = joined(b.port(), visitor, conversation);   // the same visitor, replica B
  auto operator_ws = joined(b.port(), op, conversation);       // the inbox, replica B
  auto neighbour_ws = joined(b.port(), op, neighbour);         // same tenant, another conversation
  auto stranger_ws = joined(b.port(), stranger, theirs);       // another tenant
  // Another tenant cannot watch this conversation at all.
  stranger_ws->send_json({{"type", "conversation.join"}, {"conversation_id", conversation}, {"since_seq", 0}});
  CHECK(stranger_ws->read_type("error").at("code").as_string() == "not_found");

  // Refused writes publish nothing: a user token (403), the visitor's own message (409).
  CHECK(rate(a.port(), conversation, reply, R"({"rating":"up"})", op).status == 403);
  CHECK(rate(a.port(), conversation, reply - 1, R"({"rating":"up"})", visitor).status == 409);

  auto r = rate(a.port(), conversation, reply, R"({"rating":"down","comment":"not what I asked"})", visitor);
  REQUIRE(r.status == 200);
  for (auto* ws : {operator_ws.get(), second_tab.get(), rater.get()}) {
    auto frame = next_feedback(*ws);  // the first message.feedback is this one, not a refused write's
    CHECK(frame.at("conversation_id").as_string() == conversation);
    CHECK(frame.at("seq").as_int64() == reply);
    CHECK(frame.at("rating").as_string() == "down");
    CHECK(frame.at("comment").as_string() == "not what I asked");
    CHECK(frame.at("updated_at").as_string() == r.json().at("updated_at").as_string());
  }
  // The operator on B got it, so B's hub has handled it for every socket: the others' queues
  // hold nothing (a ping is answered next).
  neighbour_ws->expect_nothing_pending();
  stranger_ws->expect_nothing_pending();

  // Cleared on replica B: null rating and time, on A as well.
  r = rate(b.port(), conversation, reply, R"({"rating":null})", visitor);
  REQUIRE(r.status == 200);
  auto cleared = next_feedback(*rater);
  CHECK(cleared.at("seq").as_int64() == reply);
  CHECK(cleared.at("rating").is_null());
  CHECK(cleared.at("updated_at").is_null());
  CHECK(next_feedback(*operator_ws).at("rating").is_null());
  neighbour_ws->expect_nothing_pending();
  stranger_ws->expect_nothing_pending();
}
