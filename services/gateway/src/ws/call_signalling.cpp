#include "ws/call_signalling.hpp"

#include <hiredis/hiredis.h>

#include <boost/json.hpp>

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/request_id.hpp"
#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/redis/publisher.hpp"
#include "rest/upstreams.hpp"
#include "server_context.hpp"
#include "work_queue.hpp"
#include "ws/message_edit_errors.hpp"
#include "ws/ws_op_context.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

constexpr const char* kServerBusy = "the server is busy, try again";
// Deletes KEYS[1] only while it still names this call (another call may own it by now).
constexpr const char* kReleaseIfOwner =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

json::object party_json(const CallParty& party) {
  return json::object{{"kind", party.kind}, {"id", party.id}};
}

bool reply_ok(const redis::Reply& reply) { return reply && reply->type != REDIS_REPLY_ERROR; }

}  // namespace

CallSignalling::CallSignalling(boost::asio::any_io_executor io, WorkQueue& workers,
                               const Upstreams& upstreams, redis::Publisher& publisher,
                               std::unique_ptr<redis::BlockingClient> redis, CallSettings settings)
    : io_(std::move(io)),
      workers_(workers),
      upstreams_(upstreams),
      publisher_(publisher),
      redis_(std::move(redis)),
      settings_(std::move(settings)) {}

CallSignalling::~CallSignalling() = default;

CallParty CallSignalling::party_of(const jwt::Claims& claims) {
  return CallParty{claims.kind == jwt::TokenKind::kVisitor ? "visitor" : "operator",
                   claims.subject};
}

std::string CallSignalling::recipient_marker(const jwt::Claims& claims) {
  return R"("to":)" + json::serialize(party_json(party_of(claims))) + "}";
}

std::string CallSignalling::key(std::string_view kind, std::string_view id) const {
  std::string k = settings_.key_prefix;
  k += "call:";
  k += kind;
  k += ':';
  k += id;
  return k;
}

std::string CallSignalling::busy_key(const std::string& tenant_id, const CallParty& party) const {
  return key("busy", tenant_id + ":" + party.kind + ":" + party.id);
}

std::string CallSignalling::config_frame() const {
  json::object o{{"type", "call.config"},
                 {"ice_servers", json::parse(settings_.ice_servers_json)},
                 {"ring_timeout_ms", settings_.ring_timeout.count()}};
  return json::serialize(o);
}

void CallSignalling::publish_to(const CallRecord& call, const CallParty& to, json::object frame) {
  frame.emplace("to", party_json(to));  // last key: the recipients' marker
  // Best effort like typing: a lost frame ends in the ring timeout or the peer's ICE failure.
  publisher_.publish(chatwire::conversation_channel(call.conversation_id), json::serialize(frame));
}

std::optional<CallRecord> CallSignalling::load(const std::string& call_id) {
  auto reply = redis_->command({"GET", key("rec", call_id)});
  if (!reply || reply->type != REDIS_REPLY_STRING) return std::nullopt;
  return CallRules::decode(std::string_view(reply->str, reply->len));
}

bool CallSignalling::settle_ring(const std::string& call_id) {
  auto reply = redis_->command({"DEL", key("ring", call_id)});
  return reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
}

void CallSignalling::end(const CallRecord& call) {
  redis_->command({"EVAL", kReleaseIfOwner, "1", busy_key(call.tenant_id, call.caller), call.call_id});
  redis_->command({"EVAL", kReleaseIfOwner, "1", busy_key(call.tenant_id, call.callee), call.call_id});
  redis_->command({"DEL", key("rec", call.call_id), key("ring", call.call_id)});
}

std::optional<OpError> CallSignalling::room_caller_check(const jwt::Claims& claims,
                                                         const std::string& room_id) const {
  if (!upstreams_.rooms) return OpError{"unavailable", "rooms are not available"};
  chat::v1::GetRoomRequest request;
  auto* actor = request.mutable_actor();
  actor->set_tenant_id(claims.tenant_id);
  actor->set_kind(claims.kind == jwt::TokenKind::kVisitor ? "visitor" : "user");
  actor->set_id(claims.subject);
  actor->set_name(claims.name);
  request.set_room_id(room_id);
  chat::v1::Room room;
  auto status = upstreams_.call(*upstreams_.rooms, &RoomsRpc::GetRoom, request, room);
  // A private room answers NOT_FOUND to a non-member: no member either.
  if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
      status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return CallRules::room_caller("");
  }
  if (!status.ok()) return edit_error_from_grpc(status);
  return CallRules::room_caller(room.my_role());
}

CallSignalling::Invite CallSignalling::invite(const jwt::Claims& claims, const std::string& name,
                                              const CallFrame& frame) {
  Invite result;
  CallRecord& call = result.call;
  call.call_id = common::random_base62(kCallIdBytes);
  call.tenant_id = claims.tenant_id;
  call.conversation_id = frame.conversation_id;
  call.caller = party_of(claims);
  call.caller_name = name;
  CallParty visitor;
  if (frame.room) {
    if (auto error = CallRules::room_callee(call.caller, frame.to, call.callee)) {
      result.error = error;
      return result;
    }
    if (auto error = room_caller_check(claims, frame.conversation_id)) {  // harden
      result.error = error;
      return result;
    }
  } else if (call.caller.kind == "operator" && !frame.to) {
    chat::v1::GetConversationRequest request;
    request.set_tenant_id(claims.tenant_id);
    request.set_conversation_id(frame.conversation_id);
    chat::v1::Conversation conversation;
    auto status =
        upstreams_.call(*upstreams_.chat, &ChatRpc::GetConversation, request, conversation);
    if (!status.ok()) {
      result.error = edit_error_from_grpc(status);
      return result;
    }
    visitor = CallParty{"visitor", conversation.visitor().id()};
  }
  if (!frame.room) {
    if (auto error = CallRules::callee(call.caller, frame.to, visitor, call.callee)) {
      result.error = error;
      return result;
    }
  }
  auto ttl = std::to_string(settings_.max_call.count());
  auto mine = redis_->command(
      {"SET", busy_key(call.tenant_id, call.caller), call.call_id, "NX", "PX", ttl});
  if (!reply_ok(mine)) {
    result.error = OpError{"unavailable", "calls are unavailable, try again"};
    return result;
  }
  if (mine->type == REDIS_REPLY_NIL) {
    result.error = OpError{"busy", "you are already in a call; hang up first"};
    return result;
  }
  auto theirs = redis_->command(
      {"SET", busy_key(call.tenant_id, call.callee), call.call_id, "NX", "PX", ttl});
  if (!reply_ok(theirs) || theirs->type == REDIS_REPLY_NIL) {
    redis_->command({"EVAL", kReleaseIfOwner, "1", busy_key(call.tenant_id, call.caller), call.call_id});
    if (!reply_ok(theirs)) {
      result.error = OpError{"unavailable", "calls are unavailable, try again"};
    } else {
      result.callee_busy = true;
    }
    return result;
  }
  // The ring key outlives the timer a little: the timer (or an answer) settles it.
  auto ring_ttl = std::to_string(settings_.ring_timeout.count() + 5000);
  redis_->command({"SET", key("rec", call.call_id), CallRules::encode(call), "PX", ttl});
  redis_->command({"SET", key("ring", call.call_id), "1", "PX", ring_ttl});
  json::object invite{{"type", "call.invite"},
                      {"conversation_id", call.conversation_id},
                      {"call_id", call.call_id},
                      {"from", json::object{{"kind", call.caller.kind},
                                            {"id", call.caller.id},
                                            {"name", name}}},
                      {"sdp", frame.sdp},
                      {"ring_timeout_ms", settings_.ring_timeout.count()}};
  publish_to(call, call.callee, std::move(invite));
  return result;
}

std::optional<OpError> CallSignalling::relay(const jwt::Claims& claims, const CallFrame& frame) {
  auto call = load(frame.call_id);
  if (!call || call->tenant_id != claims.tenant_id ||
      call->conversation_id != frame.conversation_id) {
    return OpError{"call_not_found", "the call ended or does not exist"};
  }
  auto from = party_of(claims);
  CallParty peer;
  if (auto error = CallRules::route(*call, from, frame.op, peer)) return error;
  json::object out{{"type", call_op_name(frame.op)},
                   {"conversation_id", call->conversation_id},
                   {"call_id", call->call_id}};
  switch (frame.op) {
    case CallOp::kAnswer:
      if (!settle_ring(call->call_id)) {
        return OpError{"call_not_ringing", "the call was cancelled or timed out"};
      }
      out.emplace("sdp", frame.sdp);
      break;
    case CallOp::kReject:
      if (!settle_ring(call->call_id)) {
        return OpError{"call_not_ringing", "the call was cancelled or timed out"};
      }
      out.emplace("reason", frame.reason.empty() ? "rejected" : frame.reason);
      end(*call);
      break;
    case CallOp::kIce:
      out.emplace("candidate", frame.candidate);
      break;
    case CallOp::kHangup:
      settle_ring(call->call_id);  // a caller hanging up while it rings cancels it
      out.emplace("reason", frame.reason.empty() ? "hangup" : frame.reason);
      end(*call);
      break;
    case CallOp::kInvite:
      break;
  }
  publish_to(*call, peer, std::move(out));
  return std::nullopt;
}

void CallSignalling::ring_expired(const std::string& call_id) {
  auto call = load(call_id);
  if (!settle_ring(call_id) || !call) return;  // answered, rejected or cancelled meanwhile
  end(*call);
  json::object missed{{"type", "call.missed"},
                      {"conversation_id", call->conversation_id},
                      {"call_id", call_id},
                      {"from", json::object{{"kind", call->caller.kind},
                                            {"id", call->caller.id},
                                            {"name", call->caller_name}}}};
  publish_to(*call, call->callee, std::move(missed));
  json::object timeout{{"type", "call.timeout"},
                       {"conversation_id", call->conversation_id},
                       {"call_id", call_id}};
  publish_to(*call, call->caller, std::move(timeout));
}

void CallSignalling::arm_ring(const std::string& call_id) {
  if (timers_.size() >= settings_.max_ringing) return;  // the ring key still expires
  auto timer = std::make_unique<boost::asio::steady_timer>(io_, settings_.ring_timeout);
  timer->async_wait([this, call_id](boost::system::error_code ec) {
    if (ec) return;
    timers_.erase(call_id);
    bool queued = workers_.try_submit([this, call_id] {
      common::ScopedRequestId scope("call-" + call_id.substr(0, 8));
      try {
        ring_expired(call_id);
      } catch (const std::exception& e) {
        common::logger("calls")->warn("ring timeout of {}: {}", call_id, e.what());
      }
    });
    if (!queued) common::logger("calls")->warn("ring timeout of {} dropped: workers busy", call_id);
  });
  timers_[call_id] = std::move(timer);
}

void CallSignalling::hang_up_for(const jwt::Claims& claims, const std::string& conversation_id,
                                 const std::string& call_id) {
  CallFrame frame;
  frame.op = CallOp::kHangup;
  frame.conversation_id = conversation_id;
  frame.call_id = call_id;
  frame.reason = "disconnected";
  try {
    relay(claims, frame);  // call_not_found when the call already ended: nothing to do
  } catch (const std::exception& e) {
    common::logger("calls")->warn("hang-up of {} at disconnect: {}", call_id, e.what());
  }
}

void CallSignalling::stop() {
  for (auto& [id, timer] : timers_) timer->cancel();
  timers_.clear();
}

// --- the WebSocket op (ws_ops.cpp) ------------------------------------------------------------

/// `call.config`, `call.invite` {conversation_id, sdp, to?}, `call.answer` {conversation_id,
/// call_id, sdp}, `call.ice` {conversation_id, call_id, candidate}, `call.hangup` /
/// `call.reject` {conversation_id, call_id, reason?} (docs/protocol.md "Calls").
void call_op(WsOpContext& socket, const json::object& frame) {
  auto& calls = *socket.server().calls;
  const auto* type = frame.if_contains("type");
  std::string_view name = type->get_string();
  if (name == "call.config") return socket.reply(calls.config_frame());
  auto op = call_op_of(name);
  CallFrame call;
  if (auto error = CallRules::parse(*op, frame, call)) {
    const auto* id = frame.if_contains("conversation_id");
    return socket.reply_error(*error, id && id->is_string() ? std::string(id->get_string()) : "");
  }
  if (!socket.joined(call.conversation_id)) {
    return socket.reply_error({"not_joined", "join the conversation first"}, call.conversation_id);
  }
  call.room = socket.in_room(call.conversation_id);
  if (call.op == CallOp::kInvite && calls.ringing() >= calls.settings().max_ringing) {
    return socket.reply_error({"unavailable", kServerBusy}, call.conversation_id);
  }
  // An answer is tracked before it is relayed: the caller may see it (and this socket may close)
  // before a continuation of the worker would run, and a socket closed mid-call must still hang
  // up for its holder. A refused answer is untracked again; a hang-up of a call that is no
  // longer active is a no-op (hang_up_for).
  if (call.op == CallOp::kAnswer) socket.track_call(call.conversation_id, call.call_id, true);
  bool queued = socket.run([&calls, claims = socket.claims(), call]() -> WsOpContext::Continuation {
    common::ScopedRequestId scope("ws-" + common::random_base62(12));
    if (call.op != CallOp::kInvite) {
      auto error = calls.relay(*claims, call);
      if (error) {
        return [error = *error, call](WsOpContext& s) {
          if (call.op == CallOp::kAnswer) s.track_call(call.conversation_id, call.call_id, false);
          s.reply_error(error, call.conversation_id);
        };
      }
      if (call.op == CallOp::kIce) return {};
      return [call](WsOpContext& s) {
        s.track_call(call.conversation_id, call.call_id, call.op == CallOp::kAnswer);
      };
    }
    auto result = calls.invite(*claims, claims->name.empty() ? claims->subject : claims->name, call);
    if (result.error) {
      return [error = *result.error, id = call.conversation_id](WsOpContext& s) {
        s.reply_error(error, id);
      };
    }
    json::object answer{{"type", result.callee_busy ? "call.busy" : "call.ringing"},
                        {"conversation_id", call.conversation_id},
                        {"call_id", result.call.call_id},
                        {"callee", party_json(result.call.callee)}};
    return [&calls, frame = json::serialize(answer), call_id = result.call.call_id,
            conversation_id = call.conversation_id, busy = result.callee_busy](WsOpContext& s) {
      if (!busy) {
        calls.arm_ring(call_id);
        s.track_call(conversation_id, call_id, true);
      }
      s.reply(frame);
    };
  });
  if (!queued) {
    if (call.op == CallOp::kAnswer) socket.track_call(call.conversation_id, call.call_id, false);
    socket.reply_error({"unavailable", kServerBusy}, call.conversation_id);
  }
}

}  // namespace botfactory::gateway
