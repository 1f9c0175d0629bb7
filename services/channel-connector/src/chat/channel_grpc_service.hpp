#pragma once
// The gRPC face of ChatService: each RPC converts errors in one place with rpc::guard.

#include "botfactory/chat/v1/chat.grpc.pb.h"

namespace botfactory::channel {

class AttachmentService;
class ChatService;
class ModelStatus;
class MessageEdits;
class MessageFeedbackService;
class UnansweredQuestions;

/// chat.v1.ChannelConnectorService; `chat` and `model_status` must outlive it. Without
/// `model_status`, GetBotModelStatus answers FAILED_PRECONDITION.
// Not final: a gateway pgtest counts the PostMessage calls it serves (ingest_calls_pgtest.cpp).
class ChannelConnectorGrpc : public chat::v1::ChannelConnectorService::Service {
 public:
  /// Without `edits`, EditMessage / DeleteMessage / ListMessageVersions answer
  /// FAILED_PRECONDITION.
  explicit ChannelConnectorGrpc(ChatService& chat, ModelStatus* model_status = nullptr,
                                MessageEdits* edits = nullptr)
      : chat_(chat), model_status_(model_status), edits_(edits) {}

  grpc::Status CreateConversation(grpc::ServerContext* context,
                                  const chat::v1::CreateConversationRequest* request,
                                  chat::v1::Conversation* response) override;
  grpc::Status GetConversation(grpc::ServerContext* context,
                               const chat::v1::GetConversationRequest* request,
                               chat::v1::Conversation* response) override;
  grpc::Status ListConversations(grpc::ServerContext* context,
                                 const chat::v1::ListConversationsRequest* request,
                                 chat::v1::ListConversationsResponse* response) override;
  grpc::Status PostMessage(grpc::ServerContext* context, const chat::v1::PostMessageRequest* request,
                           chat::v1::PostMessageResponse* response) override;
  grpc::Status ListMessages(grpc::ServerContext* context,
                            const chat::v1::ListMessagesRequest* request,
                            chat::v1::ListMessagesResponse* response) override;
  grpc::Status SetConversationState(grpc::ServerContext* context,
                                    const chat::v1::SetConversationStateRequest* request,
                                    chat::v1::Conversation* response) override;
  grpc::Status MarkRead(grpc::ServerContext* context, const chat::v1::MarkReadRequest* request,
                        chat::v1::MarkReadResponse* response) override;
  grpc::Status GetAnalytics(grpc::ServerContext* context,
                            const chat::v1::GetAnalyticsRequest* request,
                            chat::v1::GetAnalyticsResponse* response) override;
  grpc::Status GetBotModelStatus(grpc::ServerContext* context,
                                 const chat::v1::GetBotModelStatusRequest* request,
                                 chat::v1::BotModelStatus* response) override;
  // edits: EditError -> gRPC status (message_edits.hpp).
  grpc::Status EditMessage(grpc::ServerContext* context, const chat::v1::EditMessageRequest* request,
                           chat::v1::MessageChangeResponse* response) override;
  grpc::Status DeleteMessage(grpc::ServerContext* context,
                             const chat::v1::DeleteMessageRequest* request,
                             chat::v1::MessageChangeResponse* response) override;
  grpc::Status ListMessageVersions(grpc::ServerContext* context,
                                   const chat::v1::ListMessageVersionsRequest* request,
                                   chat::v1::ListMessageVersionsResponse* response) override;

  // files (attachment_grpc_methods.cpp): FAILED_PRECONDITION until set_attachments().
  void set_attachments(AttachmentService* attachments) { attachments_ = attachments; }
  grpc::Status UploadAttachment(grpc::ServerContext* context,
                                const chat::v1::UploadAttachmentRequest* request,
                                chat::v1::UploadAttachmentResponse* response) override;
  grpc::Status GetAttachment(grpc::ServerContext* context,
                             const chat::v1::GetAttachmentRequest* request,
                             chat::v1::GetAttachmentResponse* response) override;
  grpc::Status GetAttachmentLimit(grpc::ServerContext* context,
                                  const chat::v1::GetAttachmentLimitRequest* request,
                                  chat::v1::GetAttachmentLimitResponse* response) override;

  // Unanswered questions (unanswered_grpc_methods.cpp): FAILED_PRECONDITION until
  // set_unanswered().
  void set_unanswered(UnansweredQuestions* unanswered) { unanswered_ = unanswered; }
  grpc::Status ListUnansweredQuestions(grpc::ServerContext* context,
                                       const chat::v1::ListUnansweredQuestionsRequest* request,
                                       chat::v1::ListUnansweredQuestionsResponse* response) override;
  grpc::Status DismissUnansweredQuestion(
      grpc::ServerContext* context, const chat::v1::DismissUnansweredQuestionRequest* request,
      chat::v1::DismissUnansweredQuestionResponse* response) override;

  // Answer feedback (message_feedback_grpc_methods.cpp): FAILED_PRECONDITION until
  // set_feedback(); with it, GetAnalytics also fills feedback_up / feedback_down.
  void set_feedback(MessageFeedbackService* feedback) { feedback_ = feedback; }
  grpc::Status SetMessageFeedback(grpc::ServerContext* context,
                                  const chat::v1::SetMessageFeedbackRequest* request,
                                  chat::v1::MessageFeedback* response) override;
  grpc::Status ListConversationFeedback(grpc::ServerContext* context,
                                        const chat::v1::ListConversationFeedbackRequest* request,
                                        chat::v1::ListConversationFeedbackResponse* response) override;
  grpc::Status ListBotFeedback(grpc::ServerContext* context,
                               const chat::v1::ListBotFeedbackRequest* request,
                               chat::v1::ListBotFeedbackResponse* response) override;

 private:
  void add_feedback_days(const chat::v1::GetAnalyticsRequest& request,
                         chat::v1::GetAnalyticsResponse& response);
  MessageFeedbackService* feedback_ = nullptr;
  UnansweredQuestions* unanswered_ = nullptr;
  AttachmentService* attachments_ = nullptr;
  ChatService& chat_;
  ModelStatus* model_status_;
  MessageEdits* edits_;
};

}  // namespace botfactory::channel
