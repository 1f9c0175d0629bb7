#pragma once
// The gRPC face of ChannelBindings (chat.v1.ChannelBindingService): conversions and rpc::guard.

#include "botfactory/chat/v1/channels.grpc.pb.h"

namespace botfactory::channel {

class ChannelBindings;
class ChannelDeliveries;

/// `bindings` and `deliveries` must outlive it; without `deliveries` the delivery RPCs answer
/// UNIMPLEMENTED. Credentials never appear in a response: only credentials_hint.
class ChannelBindingGrpc final : public chat::v1::ChannelBindingService::Service {
 public:
  explicit ChannelBindingGrpc(ChannelBindings& bindings, ChannelDeliveries* deliveries = nullptr)
      : bindings_(bindings), deliveries_(deliveries) {}

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

  grpc::Status ListFailedDeliveries(grpc::ServerContext* context,
                                    const chat::v1::ListFailedDeliveriesRequest* request,
                                    chat::v1::ListFailedDeliveriesResponse* response) override;
  grpc::Status ReplayDeliveries(grpc::ServerContext* context, const chat::v1::ReplayDeliveriesRequest* request,
                                chat::v1::ReplayDeliveriesResponse* response) override;

 private:
  ChannelBindings& bindings_;
  ChannelDeliveries* deliveries_;
};

}  // namespace botfactory::channel
