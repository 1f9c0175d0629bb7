#include "chat/channel_grpc_service.hpp"

#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "chat/chat_service.hpp"
#include "chat/message_edits.hpp"
#include "chat/model_status.hpp"

namespace botfactory::channel {
namespace {

/// edits: runs `body` with EditError translated: invalid_argument INVALID_ARGUMENT, not_found
/// NOT_FOUND, forbidden PERMISSION_DENIED, edit_window_closed / message_deleted
/// FAILED_PRECONDITION; the status message is "<code>: <message>" so the gateway can tell the
/// client the code.
template <typename Body>
void translate_edit_errors(MessageEdits* edits, Body&& body) {
  if (edits == nullptr) {
    throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION, "message edits are not served");
  }
  try {
    body(*edits);
  } catch (const EditError& e) {
    grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT;
    switch (e.kind()) {
      case EditError::Kind::kInvalid: code = grpc::StatusCode::INVALID_ARGUMENT; break;
      case EditError::Kind::kNotFound: code = grpc::StatusCode::NOT_FOUND; break;
      case EditError::Kind::kForbidden: code = grpc::StatusCode::PERMISSION_DENIED; break;
      case EditError::Kind::kConflict: code = grpc::StatusCode::FAILED_PRECONDITION; break;
    }
    throw rpc::StatusError(code, e.code() + ": " + e.what());
  }
}

EditActor actor_of(const chat::v1::Actor& actor) { return EditActor{actor.kind(), actor.id()}; }

}  // namespace

grpc::Status ChannelConnectorGrpc::CreateConversation(
    grpc::ServerContext*, const chat::v1::CreateConversationRequest* request,
    chat::v1::Conversation* response) {
  return rpc::guard("CreateConversation", [&] { *response = chat_.create_conversation(*request); });
}

grpc::Status ChannelConnectorGrpc::GetConversation(grpc::ServerContext*,
                                                   const chat::v1::GetConversationRequest* request,
                                                   chat::v1::Conversation* response) {
  return rpc::guard("GetConversation", [&] { *response = chat_.get_conversation(*request); });
}

grpc::Status ChannelConnectorGrpc::ListConversations(
    grpc::ServerContext*, const chat::v1::ListConversationsRequest* request,
    chat::v1::ListConversationsResponse* response) {
  return rpc::guard("ListConversations", [&] { *response = chat_.list_conversations(*request); });
}

grpc::Status ChannelConnectorGrpc::PostMessage(grpc::ServerContext*,
                                               const chat::v1::PostMessageRequest* request,
                                               chat::v1::PostMessageResponse* response) {
  return rpc::guard("PostMessage", [&] { *response = chat_.post_message(*request); });
}

grpc::Status ChannelConnectorGrpc::ListMessages(grpc::ServerContext*,
                                                const chat::v1::ListMessagesRequest* request,
                                                chat::v1::ListMessagesResponse* response) {
  return rpc::guard("ListMessages", [&] { *response = chat_.list_messages(*request); });
}

grpc::Status ChannelConnectorGrpc::SetConversationState(
    grpc::ServerContext*, const chat::v1::SetConversationStateRequest* request,
    chat::v1::Conversation* response) {
  return rpc::guard("SetConversationState",
                    [&] { *response = chat_.set_conversation_state(*request); });
}

grpc::Status ChannelConnectorGrpc::MarkRead(grpc::ServerContext*,
                                            const chat::v1::MarkReadRequest* request,
                                            chat::v1::MarkReadResponse* response) {
  return rpc::guard("MarkRead", [&] { *response = chat_.mark_read(*request); });
}

grpc::Status ChannelConnectorGrpc::GetAnalytics(grpc::ServerContext*,
                                                const chat::v1::GetAnalyticsRequest* request,
                                                chat::v1::GetAnalyticsResponse* response) {
  return rpc::guard("GetAnalytics", [&] {
    *response = chat_.get_analytics(*request);
    add_feedback_days(*request, *response);  // answer feedback
  });
}

grpc::Status ChannelConnectorGrpc::GetBotModelStatus(grpc::ServerContext*,
                                                     const chat::v1::GetBotModelStatusRequest* request,
                                                     chat::v1::BotModelStatus* response) {
  return rpc::guard("GetBotModelStatus", [&] {
    if (model_status_ == nullptr) throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION, "model status is not served");
    *response = model_status_->get(*request);
  });
}

// --- edits ------------------------------------------------------------------------------------

grpc::Status ChannelConnectorGrpc::EditMessage(grpc::ServerContext*,
                                               const chat::v1::EditMessageRequest* request,
                                               chat::v1::MessageChangeResponse* response) {
  return rpc::guard("EditMessage", [&] {
    rpc::require_tenant(request->tenant_id());
    translate_edit_errors(edits_, [&](MessageEdits& edits) {
      *response->mutable_event() =
          edits.edit(request->tenant_id(), request->conversation_id(), request->seq(),
                     actor_of(request->actor()), request->text());
    });
  });
}

grpc::Status ChannelConnectorGrpc::DeleteMessage(grpc::ServerContext*,
                                                 const chat::v1::DeleteMessageRequest* request,
                                                 chat::v1::MessageChangeResponse* response) {
  return rpc::guard("DeleteMessage", [&] {
    rpc::require_tenant(request->tenant_id());
    translate_edit_errors(edits_, [&](MessageEdits& edits) {
      *response->mutable_event() = edits.remove(request->tenant_id(), request->conversation_id(),
                                                request->seq(), actor_of(request->actor()));
    });
  });
}

grpc::Status ChannelConnectorGrpc::ListMessageVersions(
    grpc::ServerContext*, const chat::v1::ListMessageVersionsRequest* request,
    chat::v1::ListMessageVersionsResponse* response) {
  return rpc::guard("ListMessageVersions", [&] {
    rpc::require_tenant(request->tenant_id());
    translate_edit_errors(edits_, [&](MessageEdits& edits) {
      auto history = edits.versions(request->tenant_id(), request->conversation_id(),
                                    request->seq(), actor_of(request->actor()));
      *response->mutable_message() = std::move(history.message);
      for (auto& v : history.versions) *response->add_versions() = std::move(v);
    });
  });
}

}  // namespace botfactory::channel
