#pragma once
// The WebSocket protocol of `/ws` (docs/protocol.md): JSON text frames with a `type`. Parsing of
// client frames and encoding of the server frames the gateway itself produces (message.new and
// message.delta come ready-made from channel-connector through Redis, or from chatwire).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace botfactory::gateway {

/// Limits of client input.
inline constexpr std::size_t kMaxTextLength = 4000;         // code points, after trimming
inline constexpr std::size_t kMaxClientIdLength = 64;       // bytes
inline constexpr std::size_t kMaxConversationIdLength = 64;  // bytes
inline constexpr std::size_t kMaxTokenLength = 4096;        // bytes (an access token)

/// A client frame that passed validation.
struct ClientFrame {
  enum class Type {
    kJoin,
    kLeave,
    kSend,
    kPing,
    kAuth,
    kHandoff,
    kTyping,
    kInboxSubscribe,
    kInboxUnsubscribe,
    kRoomJoin,      // room.join {room_id, since_seq} (room_frames.hpp)
    kRoomHistory,   // room.history {room_id, before_seq, limit}
    kRoomPresence   // room.presence {room_id}
  } type = Type::kPing;
  std::string conversation_id;
  std::int64_t since_seq = 0;  // join
  std::string client_id;       // send
  std::string text;            // send, as received (validated after trimming)
  std::string token;           // auth: the renewed access token (not verified here)
  bool typing = false;         // typing: true for "start", false for "stop"
  std::int64_t before_seq = 0;  // room.history
  int limit = 0;                // room.history (0 = default)
};

/// Why a client frame was rejected: the `error` frame's code and message, plus the client_id and
/// conversation_id when the frame had them (echoed so the client can correlate).
struct FrameError {
  std::string code;  // invalid_json, invalid_argument (a control character), invalid_message,
                     // unknown_type, invalid_text, invalid_client_id
  std::string message;
  std::string client_id;
  std::string conversation_id;
  std::int64_t retry_after_ms = 0;  // > 0: sent as `retry_after_ms` (with `unavailable`)
};

/// Parses and validates one client text frame: `conversation.join` {conversation_id, since_seq
/// >= 0}, `conversation.leave` {conversation_id}, `message.send` {conversation_id, client_id
/// 1..64 bytes, text: 1..4000 code points after trimming}, `ping`, `auth` {token: 1..4096
/// bytes}, `handoff.request` {conversation_id}, `typing` {conversation_id, state: "start" |
/// "stop"}, `inbox.subscribe` / `inbox.unsubscribe` (no fields). Any string holding a control character other than \t \n \r is refused with
/// `invalid_argument` (json_input.hpp). Exactly one of the results is set.
struct ParseResult {
  std::optional<ClientFrame> frame;
  std::optional<FrameError> error;
};
ParseResult parse_client_frame(std::string_view text);

/// {"type":"message.ack","client_id":…,"seq":…,"message_id":…,"conversation_id":…}
std::string encode_ack(std::string_view client_id, std::int64_t seq, std::string_view message_id,
                       std::string_view conversation_id);
struct ConversationState;

/// {"type":"conversation.joined","conversation_id":…,"last_seq":…} plus, when `state` is set,
/// "handler":"bot"|"human","waiting_for_human":bool
std::string encode_joined(std::string_view conversation_id, std::int64_t last_seq,
                          const ConversationState* state = nullptr);
/// {"type":"conversation.left","conversation_id":…}
std::string encode_left(std::string_view conversation_id);
/// {"type":"error","code":…,"message":…[,"client_id":…][,"conversation_id":…]}
std::string encode_error(const FrameError& error);
/// {"type":"auth.ok","expires_at":…} (Unix seconds of the renewed token's exp)
std::string encode_auth_ok(std::int64_t expires_at);
/// {"type":"pong"}
std::string encode_pong();
/// {"type":"inbox.subscribed"}: the tenant's inbox events follow (docs/protocol.md, "Inbox").
std::string encode_inbox_subscribed();
/// {"type":"inbox.unsubscribed"}
std::string encode_inbox_unsubscribed();
/// {"type":"inbox.resync"}: inbox events may have been missed (the socket was over its budget,
/// or Redis reconnected); reload the list (GET /api/v1/conversations).
std::string encode_inbox_resync();

}  // namespace botfactory::gateway
