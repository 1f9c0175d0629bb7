// Fuzz target: parse_client_frame (services/gateway/src/ws/ws_protocol.*), the decoder of the
// JSON frames a WebSocket client sends (docs/protocol.md).
// Input: one text frame. Properties:
// - exactly one of frame / error is set;
// - an accepted frame holds the documented limits (conversation_id 1..64 bytes, client_id 1..64
//   bytes, text 1..4000 code points after trimming, since_seq >= 0);
// - every server frame encoded from what was parsed (error, ack, joined, left) is a JSON object
//   that parses back to the same fields (no injection through ids or messages);
// - membership_end (ws/room_frames, the fan-out hub's check of a room frame) never throws and
//   names a member only for a frame that carries a member.left / member.removed event.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "botfactory/common/text.hpp"
#include "fuzz_check.hpp"
#include "ws/room_frames.hpp"
#include "ws/ws_protocol.hpp"

namespace {

namespace gw = botfactory::gateway;
namespace json = boost::json;

json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  FUZZ_CHECK(!ec);
  FUZZ_CHECK(value.is_object());
  return value.as_object();
}

std::string field(const json::object& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  FUZZ_CHECK(it->value().is_string());
  return std::string(it->value().as_string());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto end = gw::membership_end(text)) {
    FUZZ_CHECK(text.find("member.left") != text.npos || text.find("member.removed") != text.npos);
    FUZZ_CHECK(gw::ends_membership_of(text, {end->kind == "visitor" ? "visitor" : "user", end->id, ""}) ==
               (end->kind == "visitor" || end->kind == "operator"));
  }
  auto result = gw::parse_client_frame(text);
  FUZZ_CHECK(result.frame.has_value() != result.error.has_value());

  if (result.error) {
    const auto& error = *result.error;
    FUZZ_CHECK(!error.code.empty() && !error.message.empty());
    auto encoded = parse_object(gw::encode_error(error));
    FUZZ_CHECK(field(encoded, "type") == "error");
    FUZZ_CHECK(field(encoded, "code") == error.code);
    FUZZ_CHECK(field(encoded, "client_id") == error.client_id);
    FUZZ_CHECK(field(encoded, "conversation_id") == error.conversation_id);
    return 0;
  }

  const auto& frame = *result.frame;
  if (frame.type != gw::ClientFrame::Type::kJoin && frame.type != gw::ClientFrame::Type::kLeave &&
      frame.type != gw::ClientFrame::Type::kSend) {
    return 0;  // ping and frames without a conversation
  }
  FUZZ_CHECK(!frame.conversation_id.empty());
  FUZZ_CHECK(frame.conversation_id.size() <= gw::kMaxConversationIdLength);
  FUZZ_CHECK(frame.since_seq >= 0);
  if (frame.type == gw::ClientFrame::Type::kSend) {
    FUZZ_CHECK(!frame.client_id.empty() && frame.client_id.size() <= gw::kMaxClientIdLength);
    auto trimmed = botfactory::common::trim(frame.text);
    FUZZ_CHECK(!trimmed.empty());
    FUZZ_CHECK(botfactory::common::utf8_length(trimmed) <= gw::kMaxTextLength);
    FUZZ_CHECK(botfactory::common::is_valid_utf8(frame.text));
    auto ack = parse_object(gw::encode_ack(frame.client_id, 7, "m", frame.conversation_id));
    FUZZ_CHECK(field(ack, "client_id") == frame.client_id);
    FUZZ_CHECK(field(ack, "conversation_id") == frame.conversation_id);
  }
  auto joined = parse_object(gw::encode_joined(frame.conversation_id, frame.since_seq));
  FUZZ_CHECK(field(joined, "conversation_id") == frame.conversation_id);
  FUZZ_CHECK(joined.at("last_seq").as_int64() == frame.since_seq);
  auto left = parse_object(gw::encode_left(frame.conversation_id));
  FUZZ_CHECK(field(left, "type") == "conversation.left");
  return 0;
}
