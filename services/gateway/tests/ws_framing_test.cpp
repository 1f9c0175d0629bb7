// Unit tests of the WebSocket framing (RFC 6455 section 5): client frame parsing and server
// frame headers.
#include <catch2/catch.hpp>

#include "ws/ws_framing.hpp"

using namespace botfactory::gateway;

namespace {

/// A masked client frame.
std::string client_frame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                         std::uint8_t extra_bits = 0) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | extra_bits | opcode));
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xFF));
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  out.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) out.push_back(payload[i] ^ mask[i & 3]);
  return out;
}

}  // namespace

TEST_CASE("client frames are unmasked, split and reassembled across reads") {
  WsFrameParser parser(1 << 20);
  std::vector<WsEvent> events;
  std::string big(70000, 'b');
  std::string stream = client_frame(0x1, R"({"type":"ping"})") + client_frame(0x9, "hb") +
                       client_frame(0x1, "frag-", false) + client_frame(0x0, "mid-", false) +
                       client_frame(0xA, "") + client_frame(0x0, "end") +
                       client_frame(0x2, big);
  // Feed one byte at a time, then all at once: the same events either way.
  for (bool bytewise : {true, false}) {
    events.clear();
    if (bytewise) {
      std::uint16_t failed = 0;
      for (char c : stream) failed |= parser.feed(std::string_view(&c, 1), events);
      REQUIRE(failed == 0);
    } else {
      REQUIRE(parser.feed(stream, events) == 0);
    }
    REQUIRE(events.size() == 5);
    CHECK(events[0].kind == WsEvent::Kind::kMessage);
    CHECK(events[0].text);
    CHECK(events[0].payload == R"({"type":"ping"})");
    CHECK(events[1].kind == WsEvent::Kind::kPing);
    CHECK(events[1].payload == "hb");
    CHECK(events[2].kind == WsEvent::Kind::kPong);  // control frames may interleave fragments
    CHECK(events[3].payload == "frag-mid-end");
    CHECK(events[3].text);
    CHECK_FALSE(events[4].text);
    CHECK(events[4].payload == big);
    CHECK(parser.idle());
  }
}

TEST_CASE("close frames carry their code and reason") {
  WsFrameParser parser(1024);
  std::vector<WsEvent> events;
  REQUIRE(parser.feed(client_frame(0x8, encode_close_payload(1001, "bye")), events) == 0);
  REQUIRE(parser.feed(client_frame(0x8, ""), events) == 0);
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == WsEvent::Kind::kClose);
  CHECK(events[0].close_code == 1001);
  CHECK(events[0].payload == "bye");
  CHECK(events[1].close_code == 1005);
}

TEST_CASE("close codes are validated per RFC 6455 section 7.4") {
  for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
                   3999, 4000, 4999}) {
    INFO(code);
    CHECK(is_valid_close_code(static_cast<std::uint16_t>(code)));
    WsFrameParser parser(1024);
    std::vector<WsEvent> events;
    CHECK(parser.feed(client_frame(0x8, encode_close_payload(static_cast<std::uint16_t>(code), "")),
                      events) == 0);
  }
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    INFO(code);
    CHECK_FALSE(is_valid_close_code(static_cast<std::uint16_t>(code)));
    WsFrameParser parser(1024);
    std::vector<WsEvent> events;
    CHECK(parser.feed(client_frame(0x8, encode_close_payload(static_cast<std::uint16_t>(code), "")),
                      events) == kCloseProtocolError);
    CHECK(events.empty());
  }
  WsFrameParser one_byte(1024);
  std::vector<WsEvent> events;
  CHECK(one_byte.feed(client_frame(0x8, std::string(1, '\x03')), events) == kCloseProtocolError);
  WsFrameParser bad_reason(1024);
  CHECK(bad_reason.feed(client_frame(0x8, encode_close_payload(1000, "\xFF\xFE")), events) ==
        kCloseInvalidPayload);
  CHECK(events.empty());
}

TEST_CASE("protocol violations and oversized messages fail the connection") {
  std::vector<WsEvent> events;
  auto fail_code = [&](const std::string& bytes, std::size_t limit = 1024) {
    WsFrameParser parser(limit);
    return parser.feed(bytes, events);
  };
  CHECK(fail_code(client_frame(0x1, std::string(2000, 'x'))) == kCloseTooBig);
  // Refused at the header, before the payload arrives.
  CHECK(fail_code(client_frame(0x1, std::string(2000, 'x')).substr(0, 8)) == kCloseTooBig);
  CHECK(fail_code(client_frame(0x1, std::string(600, 'x'), false) +
                  client_frame(0x0, std::string(600, 'x'))) == kCloseTooBig);
  std::string unmasked = "\x81\x02hi";
  CHECK(fail_code(unmasked) == kCloseProtocolError);
  CHECK(fail_code(client_frame(0x1, "x", true, 0x40)) == kCloseProtocolError);  // RSV1
  CHECK(fail_code(client_frame(0x3, "x")) == kCloseProtocolError);              // reserved opcode
  CHECK(fail_code(client_frame(0x0, "x")) == kCloseProtocolError);  // continuation first
  CHECK(fail_code(client_frame(0x1, "a", false) + client_frame(0x1, "b")) == kCloseProtocolError);
  CHECK(fail_code(client_frame(0x9, "p", false)) == kCloseProtocolError);  // fragmented control
  CHECK(fail_code(client_frame(0x9, std::string(126, 'p'))) == kCloseProtocolError);
  CHECK(fail_code(client_frame(0x1, "\xC3\x28")) == kCloseInvalidPayload);  // not UTF-8
}

TEST_CASE("server frame headers use the shortest length encoding") {
  std::array<std::uint8_t, 10> header{};
  CHECK(encode_ws_header(WsOpcode::kText, 5, header) == 2);
  CHECK(header[0] == 0x81);
  CHECK(header[1] == 5);
  CHECK(encode_ws_header(WsOpcode::kText, 300, header) == 4);
  CHECK(header[1] == 126);
  CHECK(header[2] == 0x01);
  CHECK(header[3] == 0x2C);
  CHECK(encode_ws_header(WsOpcode::kClose, 70000, header) == 10);
  CHECK(header[0] == 0x88);
  CHECK(header[1] == 127);
  CHECK(header[7] == 0x01);
  CHECK(header[8] == 0x11);
  CHECK(header[9] == 0x70);
  auto close = encode_close_payload(1009, std::string(200, 'r'));
  CHECK(close.size() == 125);
  CHECK(static_cast<std::uint8_t>(close[0]) == 0x03);
  CHECK(static_cast<std::uint8_t>(close[1]) == 0xF1);
}
