// Fuzz target: WsFrameParser (services/gateway/src/ws/ws_framing.*), the gateway's parser of the
// bytes a WebSocket client sends (RFC 6455 section 5).
// Input: byte 0 picks how the stream is cut into reads (1..16 bytes, or whole); the rest is the
// byte stream. Properties:
// - the same events and result whether the stream arrives whole or in pieces (TCP may cut it
//   anywhere);
// - the result is 0 or a close code of section 7.4.1 the parser documents (1002, 1007, 1009);
// - a message never exceeds the limit, a text message is UTF-8 (section 8.1), a control payload
//   is at most 125 bytes (section 5.5);
// - a frame built with encode_ws_header (plus a mask) parses back to its payload.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "botfactory/common/text.hpp"
#include "fuzz_check.hpp"
#include "ws/ws_framing.hpp"

namespace {

using botfactory::gateway::WsEvent;
using botfactory::gateway::WsFrameParser;
using botfactory::gateway::WsOpcode;

constexpr std::size_t kMaxMessage = 1024;

bool same(const WsEvent& a, const WsEvent& b) {
  return a.kind == b.kind && a.text == b.text && a.payload == b.payload &&
         a.close_code == b.close_code;
}

void check_events(const std::vector<WsEvent>& events) {
  for (const auto& event : events) {
    if (event.kind == WsEvent::Kind::kMessage) {
      FUZZ_CHECK(event.payload.size() <= kMaxMessage);
      if (event.text) FUZZ_CHECK(botfactory::common::is_valid_utf8(event.payload));
    } else {
      FUZZ_CHECK(event.payload.size() <= 125);
    }
  }
}

/// Masks `payload` with a key taken from it and frames it as a client would.
std::string client_frame(WsOpcode opcode, std::string_view payload) {
  std::array<std::uint8_t, 10> header{};
  std::size_t header_size = botfactory::gateway::encode_ws_header(opcode, payload.size(), header);
  header[1] |= 0x80;  // MASK
  std::array<char, 4> key = {'k', static_cast<char>(payload.size()), '\x5a', '\xa5'};
  std::string frame(reinterpret_cast<const char*>(header.data()), header_size);
  frame.append(key.data(), key.size());
  for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(payload[i] ^ key[i & 3]);
  return frame;
}

void round_trip(std::string_view payload) {
  bool text = botfactory::common::is_valid_utf8(payload);
  WsOpcode opcode = text ? WsOpcode::kText : WsOpcode::kBinary;
  if (payload.size() > kMaxMessage) payload = payload.substr(0, kMaxMessage);
  if (text && !botfactory::common::is_valid_utf8(payload)) opcode = WsOpcode::kBinary;
  WsFrameParser parser(kMaxMessage);
  std::vector<WsEvent> events;
  FUZZ_CHECK(parser.feed(client_frame(opcode, payload), events) == 0);
  FUZZ_CHECK(events.size() == 1 && events[0].kind == WsEvent::Kind::kMessage);
  FUZZ_CHECK(events[0].payload == payload);
  FUZZ_CHECK(events[0].text == (opcode == WsOpcode::kText));
  FUZZ_CHECK(parser.idle());

  events.clear();
  auto ping = payload.substr(0, 125);
  FUZZ_CHECK(parser.feed(client_frame(WsOpcode::kPing, ping), events) == 0);
  FUZZ_CHECK(events.size() == 1 && events[0].kind == WsEvent::Kind::kPing);
  FUZZ_CHECK(events[0].payload == ping);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = data[0] & 0x0F;  // 0 = whole
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

  WsFrameParser whole(kMaxMessage);
  std::vector<WsEvent> whole_events;
  std::uint16_t whole_result = whole.feed(stream, whole_events);
  FUZZ_CHECK(whole_result == 0 || whole_result == 1002 || whole_result == 1007 ||
             whole_result == 1009);
  check_events(whole_events);

  if (chunk != 0) {
    WsFrameParser pieces(kMaxMessage);
    std::vector<WsEvent> piece_events;
    std::uint16_t piece_result = 0;
    for (std::size_t pos = 0; pos < stream.size() && piece_result == 0; pos += chunk) {
      piece_result = pieces.feed(stream.substr(pos, chunk), piece_events);
    }
    FUZZ_CHECK(piece_result == whole_result);
    FUZZ_CHECK(piece_events.size() == whole_events.size());
    for (std::size_t i = 0; i < whole_events.size(); ++i) {
      FUZZ_CHECK(same(piece_events[i], whole_events[i]));
    }
    if (whole_result == 0) FUZZ_CHECK(pieces.idle() == whole.idle());
  }

  round_trip(stream);
  return 0;
}
