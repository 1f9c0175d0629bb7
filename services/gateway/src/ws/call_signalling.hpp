#pragma once
// WebRTC call signalling (issue 11 "Calls", docs/protocol.md "Calls"): offer / answer / ICE
// candidates / hang-up / reject / busy between an operator and the visitor of a conversation,
// relayed through Redis on the conversation's channel to the callee's sockets on any gateway
// replica; the ring timeout; no media passes BotFactory. Call state (the record, who is busy,
// whether it still rings) lives in Redis with expiries, so any replica can serve either side.
// The rules are in call_rules.hpp; the op handler call_op() is in call_signalling.cpp.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "botfactory/jwt/tokens.hpp"
#include "ws/call_rules.hpp"

namespace botfactory::redis {
class BlockingClient;
class Publisher;
}  // namespace botfactory::redis

namespace botfactory::gateway {

struct Upstreams;
class WorkQueue;

/// Settings (GatewaySettings): CALL_RING_TIMEOUT_MS, CALL_MAX_MS, WEBRTC_ICE_SERVERS.
struct CallSettings {
  std::chrono::milliseconds ring_timeout{30000};
  std::chrono::milliseconds max_call{4 * 3600 * 1000};  // busy / record expiry
  std::string ice_servers_json = "[]";  // RTCConfiguration.iceServers, validated JSON array
  std::string key_prefix = "bf:";
  std::size_t max_ringing = 10000;  // ring timers per replica
};

/// One per gateway. Blocking methods run on worker threads; arm_ring() / ringing() on the I/O
/// thread.
class CallSignalling {
 public:
  /// What invite() did.
  struct Invite {
    std::optional<OpError> error;  // refused (the caller is in a call: `busy`; bad input)
    bool callee_busy = false;      // the callee is in another call: answer `call.busy`
    CallRecord call;
  };

  /// Everything must outlive this. `io` runs the ring timers (the gateway's I/O thread).
  CallSignalling(boost::asio::any_io_executor io, WorkQueue& workers, const Upstreams& upstreams,
                 redis::Publisher& publisher, std::unique_ptr<redis::BlockingClient> redis,
                 CallSettings settings);
  ~CallSignalling();

  /// Worker thread. Starts a call from the holder of `claims` (display name `name`) in
  /// `frame.conversation_id` (joined, so the tenant's): finds the callee (CallRules::callee;
  /// an operator's default is the conversation's visitor, chat GetConversation), marks both
  /// busy (SET NX with CALL_MAX_MS expiry; the caller already busy → error `busy`, the callee
  /// → callee_busy), stores the record and the ring key, and publishes `call.invite` to the
  /// callee. In a room (frame.room) the caller must still be a member when it rings
  /// (room_caller_check: `forbidden` otherwise, nothing stored).
  Invite invite(const jwt::Claims& claims, const std::string& name, const CallFrame& frame);

  /// Worker thread. answer / ice / hangup / reject of the holder of `claims` in
  /// `frame.call_id`: checks the record (`call_not_found`) and the sender (CallRules::route),
  /// settles ringing once (answer / reject / a caller's hang-up win over the others and over
  /// the timeout: `call_not_ringing` for the loser), ends the call on hang-up / reject (busy
  /// marks and record removed), and publishes the op to the peer.
  std::optional<OpError> relay(const jwt::Claims& claims, const CallFrame& frame);

  /// Worker thread. The socket of the holder of `claims` closed while in `call_id`: hangs up
  /// with reason "disconnected" (nothing when the call already ended). Never throws.
  void hang_up_for(const jwt::Claims& claims, const std::string& conversation_id,
                   const std::string& call_id);

  /// Worker thread. The ring timer of `call_id` fired: when the call still rings, ends it and
  /// publishes `call.missed` to the callee and `call.timeout` to the caller.
  void ring_expired(const std::string& call_id);

  /// I/O thread. Starts the ring timer (CALL_RING_TIMEOUT_MS) of a call this replica invited.
  void arm_ring(const std::string& call_id);
  /// I/O thread. Ring timers running here.
  std::size_t ringing() const { return timers_.size(); }
  /// I/O thread. Stops every ring timer (shutdown).
  void stop();

  /// {"type":"call.config","ice_servers":[…],"ring_timeout_ms":N}.
  std::string config_frame() const;
  const CallSettings& settings() const { return settings_; }

  /// The part of a call frame that addresses the holder of `claims`: a socket delivers a
  /// live `call.*` frame only when it holds this marker ("to" is the frame's last key).
  static std::string recipient_marker(const jwt::Claims& claims);
  /// The party of `claims`.
  static CallParty party_of(const jwt::Claims& claims);

 private:
  /// harden: the caller's membership of `room_id` now (room GetRoom as the holder of `claims`;
  /// CallRules::room_caller). `unavailable` & co. when channel-connector cannot say.
  std::optional<OpError> room_caller_check(const jwt::Claims& claims, const std::string& room_id) const;
  void publish_to(const CallRecord& call, const CallParty& to, boost::json::object frame);
  void end(const CallRecord& call);
  std::optional<CallRecord> load(const std::string& call_id);
  bool settle_ring(const std::string& call_id);
  std::string key(std::string_view kind, std::string_view id) const;
  std::string busy_key(const std::string& tenant_id, const CallParty& party) const;

  boost::asio::any_io_executor io_;
  WorkQueue& workers_;
  const Upstreams& upstreams_;
  redis::Publisher& publisher_;
  std::unique_ptr<redis::BlockingClient> redis_;
  CallSettings settings_;
  std::unordered_map<std::string, std::unique_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace botfactory::gateway
