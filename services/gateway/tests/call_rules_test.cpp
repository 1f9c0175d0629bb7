// calls: the socket-free rules of WebRTC signalling (ws/call_rules.hpp), without I/O.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "ws/call_rules.hpp"

using namespace botfactory::gateway;
namespace json = boost::json;

namespace {

const std::string kCallId = "abcdefghijABCDEFGHIJ01";  // 22 base62

std::optional<OpError> parse(CallOp op, const std::string& text, CallFrame& out) {
  return CallRules::parse(op, json::parse(text).as_object(), out);
}

}  // namespace

TEST_CASE("call frames: ops by name, fields required and bounded") {
  CHECK(call_op_of("call.invite") == CallOp::kInvite);
  CHECK(call_op_of("call.reject") == CallOp::kReject);
  CHECK_FALSE(call_op_of("call.config").has_value());
  CHECK(call_op_name(CallOp::kIce) == "call.ice");

  CallFrame f;
  CHECK_FALSE(parse(CallOp::kInvite, R"({"conversation_id":"c","sdp":"v=0"})", f));
  CHECK(f.sdp == "v=0");
  CHECK_FALSE(f.to.has_value());
  CHECK(parse(CallOp::kInvite, R"({"conversation_id":"c"})", f)->code == "invalid_message");
  CHECK(parse(CallOp::kInvite, R"({"sdp":"v=0"})", f)->code == "invalid_message");
  std::string big(kMaxSdpBytes + 1, 'a');
  CHECK(parse(CallOp::kInvite, R"({"conversation_id":"c","sdp":")" + big + R"("})", f));
  CHECK(parse(CallOp::kInvite, R"({"conversation_id":"c","sdp":"x","to":{"kind":"bot","id":"b"}})", f));
  CHECK_FALSE(parse(CallOp::kInvite,
                    R"({"conversation_id":"c","sdp":"x","to":{"kind":"operator","id":"u1"}})", f));
  REQUIRE(f.to.has_value());
  CHECK(f.to->id == "u1");

  // Every other op names the call.
  CHECK(parse(CallOp::kAnswer, R"({"conversation_id":"c","sdp":"x"})", f));
  CHECK(parse(CallOp::kAnswer, R"({"conversation_id":"c","call_id":"short","sdp":"x"})", f));
  CHECK(parse(CallOp::kHangup, R"({"conversation_id":"c","call_id":"abcdefghijABCDEFGHIJ0-"})", f));
  CHECK_FALSE(parse(CallOp::kAnswer,
                    R"({"conversation_id":"c","call_id":")" + kCallId + R"(","sdp":"x"})", f));
  CHECK_FALSE(parse(CallOp::kHangup, R"({"conversation_id":"c","call_id":")" + kCallId + R"("})", f));
  CHECK(parse(CallOp::kReject, R"({"conversation_id":"c","call_id":")" + kCallId +
                                   R"(","reason":")" + std::string(65, 'r') + R"("})", f));

  // ICE: an object with a string candidate, bounded.
  CHECK_FALSE(parse(CallOp::kIce, R"({"conversation_id":"c","call_id":")" + kCallId +
                                      R"(","candidate":{"candidate":"candidate:1 1 udp 1 10.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}})", f));
  CHECK(f.candidate.at("sdpMid").as_string() == "0");
  CHECK(parse(CallOp::kIce, R"({"conversation_id":"c","call_id":")" + kCallId +
                                R"(","candidate":"candidate:1"})", f));
  CHECK(parse(CallOp::kIce, R"({"conversation_id":"c","call_id":")" + kCallId +
                                R"(","candidate":{"candidate":")" + std::string(kMaxCandidateBytes, 'x') +
                                R"("}})", f));
}

TEST_CASE("call callee: operator → the visitor by default; visitor → a named operator") {
  CallParty op{"operator", "u1"};
  CallParty visitor{"visitor", "v1"};
  CallParty out;
  CHECK_FALSE(CallRules::callee(op, std::nullopt, visitor, out));
  CHECK(out == visitor);
  CHECK(CallRules::callee(op, CallParty{"operator", "u2"}, visitor, out));  // not operator → operator
  CHECK(CallRules::callee(visitor, std::nullopt, visitor, out));             // a visitor names whom
  CHECK(CallRules::callee(visitor, CallParty{"visitor", "v2"}, visitor, out));
  CHECK_FALSE(CallRules::callee(visitor, op, visitor, out));
  CHECK(out == op);
  CHECK(CallRules::callee(op, std::nullopt, CallParty{"visitor", ""}, out));  // no visitor
}

TEST_CASE("room calls: any member calls a named other member, visitor or user") {
  CallParty v1{"visitor", "v1"};
  CallParty v2{"visitor", "v2"};
  CallParty u1{"operator", "u1"};
  CallParty out;
  CHECK_FALSE(CallRules::room_callee(v1, v2, out));  // visitor → visitor (refused outside rooms)
  CHECK(out == v2);
  CHECK_FALSE(CallRules::room_callee(v1, u1, out));
  CHECK(out == u1);
  CHECK_FALSE(CallRules::room_callee(u1, CallParty{"operator", "u2"}, out));  // user → user
  CHECK(out == (CallParty{"operator", "u2"}));
  CHECK(CallRules::room_callee(v1, std::nullopt, out)->code == "invalid_message");  // whom?
  CHECK(CallRules::room_callee(v1, v1, out)->code == "invalid_message");            // oneself
  CHECK(CallRules::room_callee(v1, CallParty{"bot", "b1"}, out)->code == "invalid_message");
  CHECK(CallRules::callee(v1, v2, v1, out));  // the support-conversation rule is unchanged
}

TEST_CASE("room calls: only a member rings, whatever its socket joined (harden)") {
  CHECK_FALSE(CallRules::room_caller("member"));
  CHECK_FALSE(CallRules::room_caller("admin"));
  CHECK_FALSE(CallRules::room_caller("owner"));
  auto refused = CallRules::room_caller("");  // removed or left since its room.join
  REQUIRE(refused);
  CHECK(refused->code == "forbidden");
  CHECK(refused->message.find("member") != std::string::npos);
}

TEST_CASE("call routing: answer and reject only by the callee; ice and hangup by either side") {
  CallRecord call{kCallId, "t", "c", CallParty{"operator", "u1"}, CallParty{"visitor", "v1"}, "Ann"};
  CallParty peer;
  CHECK_FALSE(CallRules::route(call, call.callee, CallOp::kAnswer, peer));
  CHECK(peer == call.caller);
  CHECK(CallRules::route(call, call.caller, CallOp::kAnswer, peer)->code == "forbidden");
  CHECK(CallRules::route(call, call.caller, CallOp::kReject, peer)->code == "forbidden");
  CHECK_FALSE(CallRules::route(call, call.caller, CallOp::kIce, peer));
  CHECK(peer == call.callee);
  CHECK_FALSE(CallRules::route(call, call.callee, CallOp::kHangup, peer));
  CHECK(peer == call.caller);
  CHECK(CallRules::route(call, CallParty{"operator", "u9"}, CallOp::kIce, peer)->code == "forbidden");
  CHECK(CallRules::route(call, CallParty{"visitor", "u1"}, CallOp::kHangup, peer)->code ==
        "forbidden");  // same id, other kind
}

TEST_CASE("call records round-trip through their Redis JSON; malformed ones are refused") {
  CallRecord call{kCallId, "t", "c", CallParty{"operator", "u1"}, CallParty{"visitor", "v1"}, "Ann"};
  auto decoded = CallRules::decode(CallRules::encode(call));
  REQUIRE(decoded);
  CHECK(decoded->call_id == kCallId);
  CHECK(decoded->tenant_id == "t");
  CHECK(decoded->callee == call.callee);
  CHECK(decoded->caller_name == "Ann");
  CHECK_FALSE(CallRules::decode("{"));
  CHECK_FALSE(CallRules::decode(R"({"call_id":"x"})"));
}
