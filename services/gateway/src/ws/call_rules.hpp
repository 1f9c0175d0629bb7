#pragma once
// The rules of WebRTC call signalling (issue 11 "Calls", docs/protocol.md "Calls"), without
// sockets, Redis or clocks: which op a party may send in which state of a call, to whom it is
// relayed, and the bounds of its payload. call_signalling.cpp applies them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "ws/chat_ops.hpp"

namespace botfactory::gateway {

/// Limits of call frames (an SDP of a browser offer with audio + video is 3–8 KB).
inline constexpr std::size_t kMaxSdpBytes = 12000;
inline constexpr std::size_t kMaxCandidateBytes = 1024;
inline constexpr std::size_t kCallIdBytes = 22;  // random base62 (~131 bits)

/// One side of a call: sender kind ("visitor" or "operator") and id (token subject).
struct CallParty {
  std::string kind;
  std::string id;
  bool operator==(const CallParty&) const = default;
};

/// A call as kept in Redis while it rings or runs.
struct CallRecord {
  std::string call_id;
  std::string tenant_id;
  std::string conversation_id;
  CallParty caller;
  CallParty callee;
  std::string caller_name;
};

/// The client ops of a call.
enum class CallOp { kInvite, kAnswer, kIce, kHangup, kReject };

/// "call.invite" … "call.reject" → the op; nullopt for anything else.
std::optional<CallOp> call_op_of(std::string_view type);
/// The wire name of `op` ("call.invite" …).
std::string_view call_op_name(CallOp op);

/// The checked fields of one call frame.
struct CallFrame {
  CallOp op = CallOp::kInvite;
  std::string conversation_id;
  std::string call_id;     // every op but invite
  std::string sdp;         // invite (offer), answer (answer)
  boost::json::object candidate;  // ice: {candidate, sdpMid, sdpMLineIndex, usernameFragment}
  std::optional<CallParty> to;    // invite: the callee (optional for an operator)
  std::string reason;      // hangup / reject: optional, at most 64 bytes
  bool room = false;       // the conversation is a room the sender joined (set by call_op)
};

/// Pure rules; every function is deterministic.
class CallRules {
 public:
  /// Parses and bounds a client frame of `op`: conversation_id (1..64 bytes); call_id (22
  /// base62) except for invite; sdp (1..kMaxSdpBytes) for invite / answer; candidate (an object
  /// whose serialized size is at most kMaxCandidateBytes, "candidate" a string) for ice; `to`
  /// {kind: visitor|operator, id: 1..128 bytes} optional for invite. Error `invalid_message`.
  static std::optional<OpError> parse(CallOp op, const boost::json::object& frame, CallFrame& out);

  /// The callee of an invite by `caller`: `to` when given, else (an operator calling) the
  /// conversation's visitor `visitor`. Refused (`invalid_message`): a visitor calling without
  /// `to` or calling anyone but an operator, an operator calling an operator, calling oneself.
  static std::optional<OpError> callee(const CallParty& caller, const std::optional<CallParty>& to,
                                       const CallParty& visitor, CallParty& out);

  /// The callee of an invite in a room (issue 11: room members call each other): `to` is
  /// required, of kind visitor or operator (a signed-in user), and not the caller. Signalling
  /// reaches only sockets that joined the room, so only a member can ring. `invalid_message`.
  static std::optional<OpError> room_callee(const CallParty& caller,
                                            const std::optional<CallParty>& to, CallParty& out);

  /// harden: may the caller ring in a room? `caller_role` is its role there as channel-connector
  /// answers at the invite (room GetRoom `my_role`; "" when it is no member now: removed or left
  /// after its socket joined, the member.removed / member.left frame not handled yet). A socket's
  /// room.join is no proof of membership later. `forbidden` for "".
  static std::optional<OpError> room_caller(std::string_view caller_role);

  /// Who gets `op` from `from` in `call`: answer / reject only from the callee (to the caller);
  /// ice / hangup from either side (to the other). `forbidden` for anyone else.
  static std::optional<OpError> route(const CallRecord& call, const CallParty& from, CallOp op,
                                      CallParty& peer);

  /// Encodes / decodes the record kept in Redis (JSON). decode: nullopt when malformed.
  static std::string encode(const CallRecord& call);
  static std::optional<CallRecord> decode(std::string_view text);
};

}  // namespace botfactory::gateway
