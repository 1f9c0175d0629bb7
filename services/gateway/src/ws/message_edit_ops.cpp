// WebSocket ops `message.edit` / `message.delete` (issue 11, docs/protocol.md "Editing and
// deleting"): the author changes its message through chat EditMessage / DeleteMessage; every
// socket of the conversation then gets `message.edited` / `message.deleted` from the fan-out,
// ordered by seq like message.new.

#include <boost/json.hpp>

#include "botfactory/common/text.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/request_id.hpp"
#include "http/api_error.hpp"
#include "rest/upstreams.hpp"
#include "server_context.hpp"
#include "ws/message_edit_errors.hpp"
#include "ws/ws_op_context.hpp"
#include "ws/ws_protocol.hpp"

namespace botfactory::gateway {
namespace {

constexpr const char* kServerBusy = "the server is busy, try again";

/// conversation_id and seq of a message.edit / message.delete frame; an error frame sent and
/// nullopt when they are missing or the socket did not join the conversation.
std::optional<std::pair<std::string, std::int64_t>> target_of(WsOpContext& socket,
                                                              const boost::json::object& frame) {
  const auto* id = frame.if_contains("conversation_id");
  if (id == nullptr || !id->is_string() || id->get_string().empty() ||
      id->get_string().size() > kMaxConversationIdLength) {
    socket.reply_error({"invalid_message", "needs a string `conversation_id`"}, "");
    return std::nullopt;
  }
  std::string conversation_id(id->get_string());
  const auto* seq = frame.if_contains("seq");
  if (seq == nullptr || !seq->is_int64() || seq->get_int64() <= 0) {
    socket.reply_error({"invalid_message", "needs an integer `seq` > 0 (the message's)"},
                       conversation_id);
    return std::nullopt;
  }
  if (!socket.joined(conversation_id)) {
    socket.reply_error({"not_joined", "join the conversation first"}, conversation_id);
    return std::nullopt;
  }
  return std::make_pair(std::move(conversation_id), seq->get_int64());
}

chat::v1::Actor actor_of(const jwt::Claims& claims) {
  chat::v1::Actor actor;
  actor.set_kind(claims.kind == jwt::TokenKind::kVisitor ? common::v1::SENDER_KIND_VISITOR
                                                         : common::v1::SENDER_KIND_OPERATOR);
  actor.set_id(claims.subject);
  return actor;
}

/// {"type":"message.edit.ok"|"message.delete.ok","conversation_id","target_seq","seq"}.
std::string encode_change_ok(std::string_view type, const chat::v1::Message& event) {
  boost::json::object o{{"type", type},
                        {"conversation_id", event.conversation_id()},
                        {"target_seq", event.target_seq()},
                        {"seq", event.seq()}};
  return boost::json::serialize(o);
}

/// Runs the EditMessage (text set) or DeleteMessage call in the background and answers.
void change(WsOpContext& socket, const std::string& conversation_id, std::int64_t seq,
            std::optional<std::string> text) {
  bool queued = socket.run([&server = socket.server(), claims = socket.claims(), conversation_id,
                            seq, text]() -> WsOpContext::Continuation {
    common::ScopedRequestId scope("ws-" + common::random_base62(12));
    chat::v1::MessageChangeResponse response;
    grpc::Status status;
    if (text) {
      chat::v1::EditMessageRequest request;
      request.set_tenant_id(claims->tenant_id);
      request.set_conversation_id(conversation_id);
      request.set_seq(seq);
      *request.mutable_actor() = actor_of(*claims);
      request.set_text(*text);
      status = server.upstreams.call(*server.upstreams.chat, &ChatRpc::EditMessage, request,
                                     response);
    } else {
      chat::v1::DeleteMessageRequest request;
      request.set_tenant_id(claims->tenant_id);
      request.set_conversation_id(conversation_id);
      request.set_seq(seq);
      *request.mutable_actor() = actor_of(*claims);
      status = server.upstreams.call(*server.upstreams.chat, &ChatRpc::DeleteMessage, request,
                                     response);
    }
    if (!status.ok()) {
      return [error = edit_error_from_grpc(status), conversation_id](WsOpContext& s) {
        s.reply_error(error, conversation_id);
      };
    }
    return [frame = encode_change_ok(text ? "message.edit.ok" : "message.delete.ok",
                                     response.event())](WsOpContext& s) { s.reply(frame); };
  });
  if (!queued) socket.reply_error({"unavailable", kServerBusy}, conversation_id);
}

}  // namespace

/// `message.edit` {conversation_id, seq, text: 1..4000 code points after trimming}.
void message_edit_op(WsOpContext& socket, const boost::json::object& frame) {
  auto target = target_of(socket, frame);
  if (!target) return;
  const auto* text = frame.if_contains("text");
  if (text == nullptr || !text->is_string()) {
    return socket.reply_error({"invalid_message", "message.edit needs a string `text`"},
                              target->first);
  }
  auto trimmed = common::trim(text->get_string());
  if (trimmed.empty() || common::utf8_length(trimmed) > kMaxTextLength) {
    return socket.reply_error(
        {"invalid_text", "text must be 1.." + std::to_string(kMaxTextLength) + " characters"},
        target->first);
  }
  change(socket, target->first, target->second, std::string(trimmed));
}

/// `message.delete` {conversation_id, seq}.
void message_delete_op(WsOpContext& socket, const boost::json::object& frame) {
  auto target = target_of(socket, frame);
  if (!target) return;
  change(socket, target->first, target->second, std::nullopt);
}

}  // namespace botfactory::gateway
