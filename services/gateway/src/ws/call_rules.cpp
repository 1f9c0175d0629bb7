#include "ws/call_rules.hpp"

#include <array>
#include <utility>

#include <boost/json.hpp>

#include "ws/ws_protocol.hpp"

namespace botfactory::gateway {
namespace {

constexpr std::size_t kMaxPartyIdBytes = 128;
constexpr std::size_t kMaxReasonBytes = 64;

constexpr std::array<std::pair<std::string_view, CallOp>, 5> kNames{{
    {"call.invite", CallOp::kInvite},
    {"call.answer", CallOp::kAnswer},
    {"call.ice", CallOp::kIce},
    {"call.hangup", CallOp::kHangup},
    {"call.reject", CallOp::kReject},
}};

OpError invalid(std::string message) { return OpError{"invalid_message", std::move(message)}; }

const boost::json::string* string_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

bool base62(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

std::optional<CallParty> party_of(const boost::json::value* v) {
  if (v == nullptr || !v->is_object()) return std::nullopt;
  const auto* kind = string_at(v->get_object(), "kind");
  const auto* id = string_at(v->get_object(), "id");
  if (!kind || !id || (*kind != "visitor" && *kind != "operator") || id->empty() ||
      id->size() > kMaxPartyIdBytes) {
    return std::nullopt;
  }
  return CallParty{std::string(*kind), std::string(*id)};
}

}  // namespace

std::optional<CallOp> call_op_of(std::string_view type) {
  for (const auto& [name, op] : kNames) {
    if (name == type) return op;
  }
  return std::nullopt;
}

std::string_view call_op_name(CallOp op) {
  for (const auto& [name, o] : kNames) {
    if (o == op) return name;
  }
  return "call.unknown";
}

std::optional<OpError> CallRules::parse(CallOp op, const boost::json::object& frame,
                                        CallFrame& out) {
  out.op = op;
  const auto* conversation_id = string_at(frame, "conversation_id");
  if (!conversation_id || conversation_id->empty() ||
      conversation_id->size() > kMaxConversationIdLength) {
    return invalid("needs a string `conversation_id`");
  }
  out.conversation_id = std::string(*conversation_id);
  if (op != CallOp::kInvite) {
    const auto* call_id = string_at(frame, "call_id");
    if (!call_id || call_id->size() != kCallIdBytes || !base62(*call_id)) {
      return invalid("needs the `call_id` of call.invite's answer");
    }
    out.call_id = std::string(*call_id);
  }
  if (op == CallOp::kInvite || op == CallOp::kAnswer) {
    const auto* sdp = string_at(frame, "sdp");
    if (!sdp || sdp->empty() || sdp->size() > kMaxSdpBytes) {
      return invalid("needs a string `sdp` of 1.." + std::to_string(kMaxSdpBytes) + " bytes");
    }
    out.sdp = std::string(*sdp);
  }
  if (op == CallOp::kIce) {
    const auto* candidate = frame.if_contains("candidate");
    if (!candidate || !candidate->is_object() ||
        !string_at(candidate->get_object(), "candidate") ||
        boost::json::serialize(*candidate).size() > kMaxCandidateBytes) {
      return invalid("needs an object `candidate` {candidate, sdpMid, sdpMLineIndex} of at most " +
                     std::to_string(kMaxCandidateBytes) + " bytes");
    }
    out.candidate = candidate->get_object();
  }
  if (op == CallOp::kInvite && frame.contains("to")) {
    out.to = party_of(frame.if_contains("to"));
    if (!out.to) return invalid("`to` must be {kind: visitor|operator, id}");
  }
  if (op == CallOp::kHangup || op == CallOp::kReject) {
    if (const auto* reason = string_at(frame, "reason")) {
      if (reason->size() > kMaxReasonBytes) return invalid("`reason` is too long");
      out.reason = std::string(*reason);
    }
  }
  return std::nullopt;
}

std::optional<OpError> CallRules::callee(const CallParty& caller,
                                         const std::optional<CallParty>& to,
                                         const CallParty& visitor, CallParty& out) {
  if (caller.kind == "visitor") {
    if (!to || to->kind != "operator") {
      return invalid("a visitor calls an operator: `to` {kind: operator, id}");
    }
    out = *to;
  } else {
    if (to && to->kind != "visitor") return invalid("an operator calls the visitor");
    out = to ? *to : visitor;
    if (out.id.empty()) return invalid("the conversation has no visitor to call");
  }
  if (out == caller) return invalid("a party cannot call itself");
  return std::nullopt;
}

std::optional<OpError> CallRules::room_callee(const CallParty& caller,
                                              const std::optional<CallParty>& to, CallParty& out) {
  if (!to || (to->kind != "visitor" && to->kind != "operator")) {
    return invalid("in a room, `to` {kind: visitor|operator, id} names the member to call");
  }
  if (*to == caller) return invalid("a party cannot call itself");
  out = *to;
  return std::nullopt;
}

std::optional<OpError> CallRules::room_caller(std::string_view caller_role) {
  if (caller_role.empty()) {
    return OpError{"forbidden", "only members of the room can call in it; join the room first"};
  }
  return std::nullopt;
}

std::optional<OpError> CallRules::route(const CallRecord& call, const CallParty& from, CallOp op,
                                        CallParty& peer) {
  bool is_caller = from == call.caller;
  bool is_callee = from == call.callee;
  switch (op) {
    case CallOp::kAnswer:
    case CallOp::kReject:
      if (!is_callee) return OpError{"forbidden", "only the callee answers or rejects a call"};
      peer = call.caller;
      return std::nullopt;
    case CallOp::kIce:
    case CallOp::kHangup:
      if (!is_caller && !is_callee) return OpError{"forbidden", "not a party of this call"};
      peer = is_caller ? call.callee : call.caller;
      return std::nullopt;
    case CallOp::kInvite:
      break;
  }
  return OpError{"invalid_message", "an invite starts a new call"};
}

std::string CallRules::encode(const CallRecord& call) {
  boost::json::object o{{"call_id", call.call_id},
                        {"tenant_id", call.tenant_id},
                        {"conversation_id", call.conversation_id},
                        {"caller", {{"kind", call.caller.kind}, {"id", call.caller.id}}},
                        {"callee", {{"kind", call.callee.kind}, {"id", call.callee.id}}},
                        {"caller_name", call.caller_name}};
  return boost::json::serialize(o);
}

std::optional<CallRecord> CallRules::decode(std::string_view text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.get_object();
  const auto* call_id = string_at(o, "call_id");
  const auto* conversation_id = string_at(o, "conversation_id");
  auto caller = party_of(o.if_contains("caller"));
  auto callee = party_of(o.if_contains("callee"));
  if (!call_id || !conversation_id || !caller || !callee) return std::nullopt;
  const auto* tenant_id = string_at(o, "tenant_id");
  if (!tenant_id) return std::nullopt;
  CallRecord call{std::string(*call_id), std::string(*tenant_id), std::string(*conversation_id),
                  *caller, *callee, ""};
  if (const auto* name = string_at(o, "caller_name")) call.caller_name = std::string(*name);
  return call;
}

}  // namespace botfactory::gateway
