// Unit tests of the WebSocket protocol frames and of the fan-out payload classification.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "botfactory/chatwire/feedback_event.hpp"
#include "botfactory/chatwire/message_event.hpp"
#include "fanout/fanout_hub.hpp"
#include "ws/ws_protocol.hpp"

using namespace botfactory;
using namespace botfactory::gateway;
namespace json = boost::json;

TEST_CASE("control characters in any string of a client frame are refused") {
  for (const char* text :
       {R"({"type":"message.send","conversation_id":"c1","client_id":"k1","text":"a\u0000b"})",
        R"({"type":"message.send","conversation_id":"c1","client_id":"k\u0007","text":"hi"})",
        R"({"type":"conversation.join","conversation_id":"c\u001b"})",
        R"({"type":"ping","x":{"y":["\u0085"]}})", R"({"type\u0000":"ping"})"}) {
    INFO(text);
    auto parsed = parse_client_frame(text);
    REQUIRE(parsed.error);
    CHECK(parsed.error->code == "invalid_argument");
  }
  auto ok = parse_client_frame(
      R"({"type":"message.send","conversation_id":"c1","client_id":"k1","text":"line\n\ttab\r\n"})");
  CHECK(ok.frame);
}

TEST_CASE("auth frames carry the renewed token") {
  auto auth = parse_client_frame(R"({"type":"auth","token":"a.b.c"})");
  REQUIRE(auth.frame);
  CHECK(auth.frame->type == ClientFrame::Type::kAuth);
  CHECK(auth.frame->token == "a.b.c");
  for (const char* text : {R"({"type":"auth"})", R"({"type":"auth","token":""})",
                           R"({"type":"auth","token":7})"}) {
    auto bad = parse_client_frame(text);
    REQUIRE(bad.error);
    CHECK(bad.error->code == "invalid_message");
  }
  CHECK(parse_client_frame(R"({"type":"auth","token":")" + std::string(5000, 'x') + "\"}").error);
  CHECK(json::parse(encode_auth_ok(1800000000)) ==
        json::parse(R"({"type":"auth.ok","expires_at":1800000000})"));
}

TEST_CASE("client frames are parsed and validated") {
  auto join = parse_client_frame(R"({"type":"conversation.join","conversation_id":"c1","since_seq":4})");
  REQUIRE(join.frame);
  CHECK(join.frame->type == ClientFrame::Type::kJoin);
  CHECK(join.frame->conversation_id == "c1");
  CHECK(join.frame->since_seq == 4);
  auto join0 = parse_client_frame(R"({"type":"conversation.join","conversation_id":"c1"})");
  REQUIRE(join0.frame);
  CHECK(join0.frame->since_seq == 0);

  auto send = parse_client_frame(
      R"({"type":"message.send","conversation_id":"c1","client_id":"k1","text":"  hello  "})");
  REQUIRE(send.frame);
  CHECK(send.frame->type == ClientFrame::Type::kSend);
  CHECK(send.frame->client_id == "k1");
  CHECK(send.frame->text == "  hello  ");

  auto code = [](std::string_view text) {
    auto r = parse_client_frame(text);
    REQUIRE(r.error);
    CHECK_FALSE(r.frame);
    return r.error->code;
  };
  CHECK(code("{not json") == "invalid_json");
  CHECK(code("[]") == "invalid_json");
  CHECK(code(R"({"kind":"x"})") == "invalid_message");
  CHECK(code(R"({"type":"dance"})") == "unknown_type");
  CHECK(code(R"({"type":"conversation.join"})") == "invalid_message");
  CHECK(code(R"({"type":"conversation.join","conversation_id":"c","since_seq":-1})") ==
        "invalid_message");
  CHECK(code(R"({"type":"conversation.join","conversation_id":"c","since_seq":"3"})") ==
        "invalid_message");
  CHECK(code(R"({"type":"message.send","conversation_id":"c","client_id":"k","text":" \n\t "})") ==
        "invalid_text");
  CHECK(code(R"({"type":"message.send","conversation_id":"c","client_id":"k"})") == "invalid_text");
  CHECK(code(R"({"type":"message.send","conversation_id":"c","client_id":"","text":"x"})") ==
        "invalid_client_id");
  std::string long_id(65, 'k');
  CHECK(code(R"({"type":"message.send","conversation_id":"c","client_id":")" + long_id +
             R"(","text":"x"})") == "invalid_client_id");

  // 4000 code points (multi-byte) pass, 4001 do not.
  std::string ok_text;
  for (int i = 0; i < 4000; ++i) ok_text += "\xD0\xAF";  // Cyrillic capital YA
  auto ok = parse_client_frame(R"({"type":"message.send","conversation_id":"c","client_id":"k","text":")" +
                               ok_text + R"("})");
  CHECK(ok.frame);
  auto too_long = parse_client_frame(
      R"({"type":"message.send","conversation_id":"c","client_id":"k","text":")" + ok_text + R"(x"})");
  REQUIRE(too_long.error);
  CHECK(too_long.error->code == "invalid_text");
  CHECK(too_long.error->client_id == "k");
  CHECK(too_long.error->conversation_id == "c");
}

TEST_CASE("server frames have the documented shapes") {
  auto ack = json::parse(encode_ack("k1", 5, "m5", "c1")).as_object();
  CHECK(ack.at("type").as_string() == "message.ack");
  CHECK(ack.at("client_id").as_string() == "k1");
  CHECK(ack.at("seq").as_int64() == 5);
  CHECK(ack.at("message_id").as_string() == "m5");
  CHECK(ack.at("conversation_id").as_string() == "c1");
  auto joined = json::parse(encode_joined("c1", 9)).as_object();
  CHECK(joined.at("type").as_string() == "conversation.joined");
  CHECK(joined.at("last_seq").as_int64() == 9);
  auto error = json::parse(encode_error({"invalid_text", "text is empty", "k1", ""})).as_object();
  CHECK(error.at("type").as_string() == "error");
  CHECK(error.at("code").as_string() == "invalid_text");
  CHECK(error.at("client_id").as_string() == "k1");
  CHECK_FALSE(error.contains("conversation_id"));
  CHECK(json::parse(encode_pong()).at("type").as_string() == "pong");
}

TEST_CASE("fan-out payloads are classified once, fast path for chatwire frames") {
  chat::v1::Message message;
  message.set_id("m1");
  message.set_conversation_id("0b7c9a50-1111-2222-3333-444455556666");
  message.set_seq(42);
  message.set_text("\"seq\":7 inside the text");
  auto frame = chatwire::encode_message_new(message);
  auto info = classify_event(frame);
  CHECK(info.valid);
  CHECK(info.seq == 42);

  auto delta = chatwire::encode_message_delta("c1", 3, "partial");
  info = classify_event(delta);
  CHECK(info.valid);
  CHECK(info.seq == 0);

  // Other key orders still work through the full parse.
  info = classify_event(R"({"seq":8,"type":"message.new","conversation_id":"c"})");
  CHECK(info.valid);
  CHECK(info.seq == 8);
  CHECK_FALSE(classify_event(R"({"type":"message.new","conversation_id":"c"})").valid);
  CHECK_FALSE(classify_event(R"({"type":"message.new","seq":0})").valid);
  CHECK_FALSE(classify_event("not json").valid);
  CHECK(classify_event(R"({"type":"conversation.handoff"})").valid);
  // live: message.feedback names a reply's seq, but is ephemeral: never a seq of the stream
  // (taken as one, it would move the socket's cursor and hide later messages).
  chat::v1::MessageFeedback rated;
  rated.set_seq(42);
  rated.set_rating(chat::v1::FEEDBACK_RATING_UP);
  info = classify_event(chatwire::encode_message_feedback("c1", rated));
  CHECK(info.valid);
  CHECK(info.seq == 0);
}

TEST_CASE("handoff.request and typing frames are parsed and validated") {
  auto handoff = parse_client_frame(R"({"type":"handoff.request","conversation_id":"c1"})");
  REQUIRE(handoff.frame);
  CHECK(handoff.frame->type == ClientFrame::Type::kHandoff);
  CHECK(handoff.frame->conversation_id == "c1");
  CHECK(parse_client_frame(R"({"type":"handoff.request"})").error->code == "invalid_message");

  auto start = parse_client_frame(R"({"type":"typing","conversation_id":"c1","state":"start"})");
  REQUIRE(start.frame);
  CHECK(start.frame->type == ClientFrame::Type::kTyping);
  CHECK(start.frame->typing);
  auto stop = parse_client_frame(R"({"type":"typing","conversation_id":"c1","state":"stop"})");
  REQUIRE(stop.frame);
  CHECK_FALSE(stop.frame->typing);
  for (const char* text : {R"({"type":"typing","conversation_id":"c1"})",
                           R"({"type":"typing","conversation_id":"c1","state":"maybe"})",
                           R"({"type":"typing","conversation_id":"c1","state":true})",
                           R"({"type":"typing","state":"start"})"}) {
    INFO(text);
    auto bad = parse_client_frame(text);
    REQUIRE(bad.error);
    CHECK(bad.error->code == "invalid_message");
  }
}
