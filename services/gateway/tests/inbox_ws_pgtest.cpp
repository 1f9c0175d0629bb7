// The inbox fan-out over real sockets: two gateway replicas and the real test Redis. Events
// are published the way channel-connector does (chatwire::inbox_key → chat:conv:inbox:<tenant>;
// channel-connector's own inbox_pgtest holds what and when it publishes): staff sockets of the
// tenant on both replicas get them unchanged, other tenants' staff and unsubscribed sockets do
// not, visitors are refused.
#include <catch2/catch.hpp>

#include "botfactory/chatwire/inbox_event.hpp"
#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/redis/publisher.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"

using namespace botfactory;
using namespace botfactory::gateway_test;

namespace {

std::string event(const std::string& id, const std::string& preview) {
  return R"({"type":"conversation.updated","conversation":{"id":")" + id +
         R"(","last_message":{"preview":")" + preview + R"("}}})";
}

void publish(redis::Publisher& publisher, const std::string& tenant, const std::string& payload) {
  REQUIRE(publisher.publish(chatwire::conversation_channel(chatwire::inbox_key(tenant)), payload) >= 0);
}

}  // namespace

TEST_CASE("inbox.subscribe: staff of the tenant on every replica get conversation.updated") {
  Fleet fleet;
  redis::Publisher publisher(testenv::redis_host(), testenv::redis_port());
  WsClient a(fleet.a->port(), user_token(fleet.fakes, kTenant));
  WsClient b(fleet.b->port(), user_token(fleet.fakes, kTenant));
  WsClient stranger(fleet.b->port(), user_token(fleet.fakes, kOtherTenant));
  REQUIRE(a.open());
  REQUIRE(b.open());
  REQUIRE(stranger.open());
  for (auto* client : {&a, &b, &stranger}) {
    client->send(R"({"type":"inbox.subscribe"})");
    CHECK(client->read_json().at("type").as_string() == "inbox.subscribed");
  }
  // Subscribing again is answered the same way (one subscription per socket).
  a.send(R"({"type":"inbox.subscribe"})");
  CHECK(a.read_json().at("type").as_string() == "inbox.subscribed");

  auto first = event("c-1", "Where is my order?");
  publish(publisher, kTenant, first);
  CHECK(a.read().value_or("") == first);  // the Redis payload is the frame, byte for byte
  CHECK(b.read().value_or("") == first);
  // The other tenant's staff get only their own tenant's events.
  auto theirs = event("c-2", "Other tenant");
  publish(publisher, kOtherTenant, theirs);
  CHECK(stranger.read().value_or("") == theirs);
  a.expect_nothing_pending();

  // After inbox.unsubscribe nothing more arrives; B still gets it.
  a.send(R"({"type":"inbox.unsubscribe"})");
  CHECK(a.read_json().at("type").as_string() == "inbox.unsubscribed");
  auto second = event("c-1", "Thanks");
  publish(publisher, kTenant, second);
  CHECK(b.read().value_or("") == second);
  a.expect_nothing_pending();
}

TEST_CASE("inbox.subscribe: a visitor token is refused") {
  Fleet fleet;
  auto session = widget_session(fleet.a->port());
  WsClient visitor(fleet.a->port(), session.token);
  REQUIRE(visitor.open());
  visitor.send(R"({"type":"inbox.subscribe"})");
  auto error = visitor.read_json();
  CHECK(error.at("type").as_string() == "error");
  CHECK(error.at("code").as_string() == "forbidden");
  redis::Publisher publisher(testenv::redis_host(), testenv::redis_port());
  publish(publisher, kTenant, event("c-1", "not for visitors"));
  visitor.expect_nothing_pending();
}
