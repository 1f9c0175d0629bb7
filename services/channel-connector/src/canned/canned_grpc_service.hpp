#pragma once
// The gRPC face of CannedResponses (CannedResponseService, canned_responses.proto): proto ↔
// plain types; CannedInvalid → INVALID_ARGUMENT, CannedNotFound → NOT_FOUND, CannedDuplicate →
// ALREADY_EXISTS "canned_duplicate: …", CannedLimitReached → FAILED_PRECONDITION
// "canned_limit: …"; everything else through rpc::guard.

#include "botfactory/chat/v1/canned_responses.grpc.pb.h"

namespace botfactory::channel {

class CannedResponses;

/// Serves CannedResponseService on channel-connector's gRPC server. `canned` must outlive it.
class CannedGrpc final : public chat::v1::CannedResponseService::Service {
 public:
  explicit CannedGrpc(CannedResponses& canned) : canned_(canned) {}

  grpc::Status ListCannedResponses(grpc::ServerContext*, const chat::v1::ListCannedResponsesRequest*,
                                   chat::v1::ListCannedResponsesResponse*) override;
  grpc::Status CreateCannedResponse(grpc::ServerContext*,
                                    const chat::v1::CreateCannedResponseRequest*,
                                    chat::v1::CannedResponse*) override;
  grpc::Status UpdateCannedResponse(grpc::ServerContext*,
                                    const chat::v1::UpdateCannedResponseRequest*,
                                    chat::v1::CannedResponse*) override;
  grpc::Status DeleteCannedResponse(grpc::ServerContext*,
                                    const chat::v1::DeleteCannedResponseRequest*,
                                    chat::v1::DeleteCannedResponseResponse*) override;

 private:
  CannedResponses& canned_;
};

}  // namespace botfactory::channel
