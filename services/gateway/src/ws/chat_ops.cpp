#include "ws/chat_ops.hpp"

#include "http/api_error.hpp"
#include "botfactory/common/request_id.hpp"
#include "botfactory/chatwire/conversation_event.hpp"
#include "botfactory/chatwire/message_change_event.hpp"
#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/redis/publisher.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {
namespace {

OpError op_error(const grpc::Status& status) {
  auto error = api_error_from_grpc(status);
  return OpError{error.code(), error.what()};
}

}  // namespace

ChatOps::ChatOps(const Upstreams& upstreams, redis::Publisher* publisher)
    : upstreams_(upstreams), publisher_(publisher) {}

namespace {

ConversationState state_of(const chat::v1::Conversation& conversation) {
  ConversationState state;
  if (!conversation.handler().empty()) state.handler = conversation.handler();
  state.waiting_for_human = conversation.waiting_for_human();
  return state;
}

}  // namespace

std::optional<OpError> ChatOps::authorize_join(const jwt::Claims& claims,
                                               const std::string& conversation_id,
                                               std::int64_t* last_seq,
                                               ConversationState* state) const {
  if (claims.kind == jwt::TokenKind::kVisitor && claims.conversation_id != conversation_id) {
    return OpError{"forbidden", "a visitor may join only its own conversation"};
  }
  chat::v1::GetConversationRequest request;
  request.set_conversation_id(conversation_id);
  request.set_tenant_id(claims.tenant_id);
  chat::v1::Conversation conversation;
  auto status = upstreams_.call(*upstreams_.chat, &ChatRpc::GetConversation, request, conversation);
  if (!status.ok()) return op_error(status);
  if (last_seq) *last_seq = conversation.last_seq();
  if (state) *state = state_of(conversation);
  return std::nullopt;
}

std::optional<OpError> ChatOps::request_handoff(const jwt::Claims& claims,
                                                const std::string& conversation_id,
                                                ConversationState& state) const {
  if (claims.kind != jwt::TokenKind::kVisitor) {
    return OpError{"forbidden", "operators take a conversation over with POST "
                                "/api/v1/conversations/{id}/takeover"};
  }
  chat::v1::SetConversationStateRequest request;
  request.set_tenant_id(claims.tenant_id);
  request.set_conversation_id(conversation_id);
  request.set_action(chat::v1::CONVERSATION_ACTION_REQUEST_HUMAN);
  chat::v1::Conversation conversation;
  auto status =
      upstreams_.call(*upstreams_.chat, &ChatRpc::SetConversationState, request, conversation);
  if (!status.ok()) return op_error(status);
  state = state_of(conversation);
  return std::nullopt;
}

std::optional<OpError> ChatOps::operator_name(const jwt::Claims& claims, const std::string& cached,
                                              std::string& name) const {
  name = cached;
  if (!name.empty()) return std::nullopt;
  auth::v1::GetUserRequest user_request;
  user_request.set_user_id(claims.subject);
  auth::v1::User user;
  auto status = upstreams_.call(*upstreams_.auth, &AuthRpc::GetUser, user_request, user);
  if (!status.ok()) return op_error(status);
  name = user.username();
  return std::nullopt;
}

std::optional<OpError> ChatOps::publish_typing(const jwt::Claims& claims,
                                               const std::string& cached_operator_name,
                                               const std::string& conversation_id, bool typing,
                                               std::string* looked_up_name) const {
  if (publisher_ == nullptr) return std::nullopt;
  std::string frame;
  if (claims.kind == jwt::TokenKind::kVisitor) {
    frame = chatwire::encode_typing(conversation_id, typing, "visitor", claims.subject, claims.name);
  } else {
    std::string name;
    if (auto error = operator_name(claims, cached_operator_name, name)) return error;
    if (looked_up_name && cached_operator_name.empty()) *looked_up_name = name;
    frame = chatwire::encode_typing(conversation_id, typing, "operator", claims.subject, name);
  }
  // Best effort like every ephemeral event: a lost typing frame is not an error.
  publisher_->publish(chatwire::conversation_channel(conversation_id), frame);
  return std::nullopt;
}

std::optional<OpError> ChatOps::fetch_messages(const std::string& tenant_id,
                                               const std::string& conversation_id,
                                               std::int64_t since_seq, int limit,
                                               std::vector<SeqFrame>& out, bool* more) const {
  chat::v1::ListMessagesRequest request;
  request.set_tenant_id(tenant_id);
  request.set_conversation_id(conversation_id);
  request.set_since_seq(since_seq);
  request.set_limit(limit);
  chat::v1::ListMessagesResponse response;
  auto status = upstreams_.call(*upstreams_.chat, &ChatRpc::ListMessages, request, response);
  if (!status.ok()) return op_error(status);
  out.reserve(out.size() + static_cast<std::size_t>(response.messages_size()));
  for (const auto& message : response.messages()) {
    // edits: an edit / delete event of the stream (Message.event) replays as its own frame.
    out.push_back(SeqFrame{message.seq(), std::make_shared<const std::string>(
                                              chatwire::encode_stream_entry(message))});
  }
  if (more) *more = response.messages_size() >= limit;
  return std::nullopt;
}

namespace {

using PostCall = AsyncUnary<chat::v1::PostMessageRequest, chat::v1::PostMessageResponse>;
using UserCall = AsyncUnary<auth::v1::GetUserRequest, auth::v1::User>;

/// Starts the PostMessage of `call`; `looked_up_name` is reported back for the session's cache.
void start_post(const Upstreams& upstreams, std::shared_ptr<PostCall> call,
                std::string looked_up_name, ChatOps::PostDone done) {
  upstreams.async_call(
      *upstreams.chat, &ChatRpc::async_interface::PostMessage, std::move(call),
      [done = std::move(done), name = std::move(looked_up_name)](const grpc::Status& status,
                                                                 PostCall& c) {
        if (!status.ok()) return done(op_error(status), {});
        PostResult result;
        result.seq = c.response.message().seq();
        result.message_id = c.response.message().id();
        result.operator_name = name;
        done(std::nullopt, std::move(result));
      });
}

}  // namespace

void ChatOps::post_message_async(const jwt::Claims& claims, const std::string& cached_operator_name,
                                 const std::string& conversation_id, const std::string& client_id,
                                 const std::string& text, PostDone done) const {
  auto call = std::make_shared<PostCall>();
  auto& request = call->request;
  request.set_tenant_id(claims.tenant_id);
  request.set_conversation_id(conversation_id);
  request.set_client_id(client_id);
  request.set_text(text);
  auto* sender = request.mutable_sender();
  sender->set_id(claims.subject);
  if (claims.kind == jwt::TokenKind::kVisitor) {
    sender->set_kind(common::v1::SENDER_KIND_VISITOR);
    sender->set_name(claims.name);
    return start_post(upstreams_, std::move(call), {}, std::move(done));
  }
  sender->set_kind(common::v1::SENDER_KIND_OPERATOR);
  if (!cached_operator_name.empty()) {
    sender->set_name(cached_operator_name);
    return start_post(upstreams_, std::move(call), {}, std::move(done));
  }
  auto user = std::make_shared<UserCall>();
  user->request.set_user_id(claims.subject);
  upstreams_.async_call(
      *upstreams_.auth, &AuthRpc::async_interface::GetUser, std::move(user),
      [&upstreams = upstreams_, call = std::move(call), done = std::move(done),
       request_id = common::current_request_id()](const grpc::Status& status,
                                                  UserCall& user) mutable {
        if (!status.ok()) return done(op_error(status), {});
        call->request.mutable_sender()->set_name(user.response.username());
        common::ScopedRequestId scope(request_id);  // the PostMessage carries it too
        start_post(upstreams, std::move(call), user.response.username(), std::move(done));
      });
}

}  // namespace botfactory::gateway
