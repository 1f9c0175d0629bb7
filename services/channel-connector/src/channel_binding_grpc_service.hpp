#pragma once
// The gRPC face of ChannelBindings (chat.v1.ChannelBindingService): conversions and rpc::guard.

#include "botfactory/chat/v1/channels.grpc.pb.h"

namespace botfactory::channel {

class ChannelBindings;

/// `bindings` must outlive it. Credentials never appear in a response: only credentials_hint.
class ChannelBindingGrpc final : public chat::v1::ChannelBindingService::Service {
 public:
  explicit ChannelBindingGrpc(ChannelBindings& bindings) : bindings_(bindings) {}

  grpc::Status ConnectChannel(grpc::ServerContext* context, const chat::v1::ConnectChannelRequest* request,
                              chat::v1::Channel* response) override;
  grpc::Status ListChannels(grpc::ServerContext* context, const chat::v1::ListChannelsRequest* request,
                            chat::v1::ListChannelsResponse* response) override;
  grpc::Status DisconnectChannel(grpc::ServerContext* context,
                                 const chat::v1::DisconnectChannelRequest* request,
                                 chat::v1::DisconnectChannelResponse* response) override;
  grpc::Status ReceiveTelegramUpdate(grpc::ServerContext* context,
                                     const chat::v1::ReceiveTelegramUpdateRequest* request,
                                     chat::v1::ReceiveTelegramUpdateResponse* response) override;
  grpc::Status VerifyMetaWebhook(grpc::ServerContext* context, const chat::v1::VerifyMetaWebhookRequest* request,
                                 chat::v1::VerifyMetaWebhookResponse* response) override;
  grpc::Status ReceiveMetaWebhook(grpc::ServerContext* context,
                                  const chat::v1::ReceiveMetaWebhookRequest* request,
                                  chat::v1::ReceiveMetaWebhookResponse* response) override;

 private:
  ChannelBindings& bindings_;
};

}  // namespace botfactory::channel
