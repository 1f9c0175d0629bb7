// The files rpcs of ChannelConnectorGrpc (chat.proto, attachments.proto): thin shells over
// AttachmentService, errors converted by rpc::guard.
#include "attachments/attachment_service.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/channel_grpc_service.hpp"

namespace botfactory::channel {
namespace {

AttachmentService& require(AttachmentService* attachments) {
  if (attachments == nullptr) {
    throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION, "attachments are not served");
  }
  return *attachments;
}

}  // namespace

grpc::Status ChannelConnectorGrpc::UploadAttachment(grpc::ServerContext*,
                                                    const chat::v1::UploadAttachmentRequest* request,
                                                    chat::v1::UploadAttachmentResponse* response) {
  return rpc::guard("UploadAttachment", [&] { *response = require(attachments_).upload(*request); });
}

grpc::Status ChannelConnectorGrpc::GetAttachment(grpc::ServerContext*,
                                                 const chat::v1::GetAttachmentRequest* request,
                                                 chat::v1::GetAttachmentResponse* response) {
  return rpc::guard("GetAttachment", [&] { *response = require(attachments_).get(*request); });
}

grpc::Status ChannelConnectorGrpc::GetAttachmentLimit(
    grpc::ServerContext*, const chat::v1::GetAttachmentLimitRequest* request,
    chat::v1::GetAttachmentLimitResponse* response) {
  return rpc::guard("GetAttachmentLimit", [&] { *response = require(attachments_).limit(*request); });
}

}  // namespace botfactory::channel
