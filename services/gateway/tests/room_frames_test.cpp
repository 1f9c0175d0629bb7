// Unit tests of the rooms' WebSocket frames (ws/room_frames, ws/room_ops' typing encoding).
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "ws/room_frames.hpp"
#include "ws/room_ops.hpp"

using namespace botfactory::gateway;
namespace json = boost::json;

TEST_CASE("room.* client frames are parsed and validated") {
  auto join = parse_client_frame(R"({"type":"room.join","room_id":"r1","since_seq":7})");
  REQUIRE(join.frame);
  CHECK(join.frame->type == ClientFrame::Type::kRoomJoin);
  CHECK(join.frame->conversation_id == "r1");
  CHECK(join.frame->since_seq == 7);

  auto history = parse_client_frame(R"({"type":"room.history","room_id":"r1","before_seq":40,"limit":20})");
  REQUIRE(history.frame);
  CHECK(history.frame->type == ClientFrame::Type::kRoomHistory);
  CHECK(history.frame->before_seq == 40);
  CHECK(history.frame->limit == 20);
  auto defaults = parse_client_frame(R"({"type":"room.history","room_id":"r1"})");
  REQUIRE(defaults.frame);
  CHECK(defaults.frame->before_seq == 0);
  CHECK(defaults.frame->limit == kDefaultRoomHistory);

  auto presence = parse_client_frame(R"({"type":"room.presence","room_id":"r1"})");
  REQUIRE(presence.frame);
  CHECK(presence.frame->type == ClientFrame::Type::kRoomPresence);

  for (const char* bad : {R"({"type":"room.join"})", R"({"type":"room.join","room_id":""})",
                          R"({"type":"room.join","room_id":5})",
                          R"({"type":"room.join","room_id":"r","since_seq":-1})",
                          R"({"type":"room.history","room_id":"r","limit":0})",
                          R"({"type":"room.history","room_id":"r","limit":201})",
                          R"({"type":"room.history","room_id":"r","before_seq":"x"})"}) {
    INFO(bad);
    auto parsed = parse_client_frame(bad);
    REQUIRE(parsed.error);
    CHECK(parsed.error->code == "invalid_message");
  }
  auto long_id = std::string(R"({"type":"room.join","room_id":")") + std::string(65, 'a') + "\"}";
  CHECK(parse_client_frame(long_id).error);
  auto unknown = parse_client_frame(R"({"type":"room.explode","room_id":"r"})");
  REQUIRE(unknown.error);
  CHECK(unknown.error->code == "unknown_type");
  auto control = parse_client_frame("{\"type\":\"room.join\",\"room_id\":\"r\\u0000\"}");
  REQUIRE(control.error);
  CHECK(control.error->code == "invalid_argument");
}

TEST_CASE("room frames encode as documented") {
  auto joined = json::parse(encode_room_joined("r1", 9)).as_object();
  CHECK(joined.at("type").as_string() == "room.joined");
  CHECK(joined.at("conversation_id").as_string() == "r1");
  CHECK(joined.at("last_seq").as_int64() == 9);

  auto presence = json::parse(encode_room_presence("r1", {{"user", "u1", "olga"}, {"visitor", "v_1", "Guest"}})).as_object();
  CHECK(presence.at("count").as_int64() == 2);
  CHECK(presence.at("online").as_array()[1].at("kind").as_string() == "visitor");

  auto event = json::parse(encode_presence_event("r1", false, {"user", "u1", "o\"lga"})).as_object();
  CHECK(event.at("type").as_string() == "presence");
  CHECK(event.at("state").as_string() == "leave");
  CHECK(event.at("member").at("name").as_string() == "o\"lga");

  auto history = json::parse(encode_room_history("r1", 5, {R"({"type":"message.new","seq":3})"}, true)).as_object();
  CHECK(history.at("messages").as_array().size() == 1);
  CHECK(history.at("more").as_bool());

  // The typing frame keeps chatwire's prefix (the session's own-typing filter relies on it).
  std::string typing = encode_room_typing("r1", true, "visitor", "v_1", "Guest", 6000);
  CHECK(typing.starts_with(R"({"type":"typing")"));
  auto t = json::parse(typing).as_object();
  CHECK(t.at("expires_in_ms").as_int64() == 6000);
  CHECK(t.at("sender").at("id").as_string() == "v_1");
  CHECK(t.at("state").as_string() == "start");
}

TEST_CASE("a member's own removal or leave event ends its room membership on the socket") {
  RoomPresenceMember visitor{"visitor", "v_1", "Guest"};
  RoomPresenceMember user{"user", "u1", "olga"};
  auto frame = [](const char* event, const char* kind, const char* id) {
    return std::string(R"({"type":"message.new","conversation_id":"r","seq":5,"message":{"id":"m","sender":{"kind":")") +
           kind + R"(","id":")" + id + R"(","name":"n"},"text":"","created_at":"x","event":")" + event + "\"}}";
  };
  CHECK(ends_membership_of(frame("member.removed", "visitor", "v_1"), visitor));
  CHECK(ends_membership_of(frame("member.left", "operator", "u1"), user));
  CHECK_FALSE(ends_membership_of(frame("member.removed", "visitor", "v_2"), visitor));
  CHECK_FALSE(ends_membership_of(frame("member.removed", "operator", "v_1"), visitor));
  CHECK_FALSE(ends_membership_of(frame("member.joined", "visitor", "v_1"), visitor));
  CHECK_FALSE(ends_membership_of(R"({"type":"message.new","seq":1,"message":{"text":"\"event\":\"member.left\""}})", visitor));
}
