#pragma once
// WebSocket framing (RFC 6455 section 5) for the server side of `/ws`: an incremental parser of
// client frames and the header encoder for server frames. The gateway frames messages itself
// (Beast only does the opening handshake) so that an idle socket holds no buffers and queued
// frames go out in one gathered write.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::gateway {

/// Frame opcodes (RFC 6455 section 5.2).
enum class WsOpcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

/// Close status codes used by the gateway (RFC 6455 section 7.4.1).
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kClosePolicyViolation = 1008;
inline constexpr std::uint16_t kCloseTooBig = 1009;
/// Application close code (RFC 6455 section 7.4.2, 4000–4999 private use): the socket's access
/// token expired (docs/protocol.md).
inline constexpr std::uint16_t kCloseTokenExpired = 4001;

/// True when a peer may send `code` in a close frame (RFC 6455 sections 7.4.1 and 7.4.2):
/// 1000–1003, 1007–1014 and 3000–4999. 0–999, 1004 (reserved), 1005 and 1006 (never on the
/// wire), 1015 (TLS), the unassigned 1016–2999 and anything from 5000 are invalid.
bool is_valid_close_code(std::uint16_t code);

/// Something complete that the client sent.
struct WsEvent {
  enum class Kind { kMessage, kPing, kPong, kClose } kind = Kind::kMessage;
  bool text = false;       // kMessage: text (true) or binary
  std::string payload;     // message / ping / pong data; close: the reason text
  std::uint16_t close_code = 0;  // kClose: the peer's code (1005 when it sent none)
};

/// Incremental parser of client-to-server frames: unmasks, reassembles fragmented messages,
/// validates. Holds memory only while a frame or message is incomplete.
class WsFrameParser {
 public:
  /// `max_message` bounds a whole (reassembled) message in bytes.
  explicit WsFrameParser(std::size_t max_message) : max_message_(max_message) {}

  /// Consumes `data`, appending complete events to `events`. Returns 0, or the close code to
  /// fail the connection with: 1009 when a message would exceed the limit, 1002 for a protocol
  /// violation (unmasked frame, reserved bits, bad opcode, fragmented or long control frame,
  /// unexpected continuation, a close frame with a 1-byte payload or an invalid code, see
  /// is_valid_close_code()), 1007 for a text message or a close reason that is not UTF-8
  /// (RFC 6455 sections 5.5.1, 7.4, 8.1). After a non-zero result the parser must not be fed
  /// again.
  std::uint16_t feed(std::string_view data, std::vector<WsEvent>& events);

  /// True when no partial frame or message is buffered.
  bool idle() const { return pending_.empty() && !in_message_; }

 private:
  /// Parses one frame at the start of `data`. Returns bytes consumed (0 = incomplete), or sets
  /// `error`.
  std::size_t parse_one(std::string_view data, std::vector<WsEvent>& events, std::uint16_t& error);

  std::size_t max_message_;
  std::string pending_;  // an incomplete frame
  std::string message_;  // fragments of the current data message
  bool in_message_ = false;
  bool message_text_ = false;
};

/// Writes the header of an unmasked server frame with FIN set into `out`; returns its length
/// (2, 4 or 10 bytes).
std::size_t encode_ws_header(WsOpcode opcode, std::size_t payload_size,
                             std::array<std::uint8_t, 10>& out);

/// The payload of a close frame: the code (network order) and a reason of at most 123 bytes.
std::string encode_close_payload(std::uint16_t code, std::string_view reason);

}  // namespace botfactory::gateway
