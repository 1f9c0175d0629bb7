#include "channel_grpc_service.hpp"

#include "botfactory/rpc/status.hpp"
#include "chat_service.hpp"
#include "model_status.hpp"

namespace botfactory::channel {

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
  return rpc::guard("GetAnalytics", [&] { *response = chat_.get_analytics(*request); });
}

grpc::Status ChannelConnectorGrpc::GetBotModelStatus(grpc::ServerContext*,
                                                     const chat::v1::GetBotModelStatusRequest* request,
                                                     chat::v1::BotModelStatus* response) {
  return rpc::guard("GetBotModelStatus", [&] {
    if (model_status_ == nullptr) throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION, "model status is not served");
    *response = model_status_->get(*request);
  });
}

}  // namespace botfactory::channel
