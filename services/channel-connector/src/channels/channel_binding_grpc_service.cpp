#include "channels/channel_binding_grpc_service.hpp"

#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "channels/channel_bindings.hpp"
#include "channels/channel_deliveries.hpp"

namespace botfactory::channel {
namespace {

void to_proto(const ChannelView& view, chat::v1::Channel& out) {
  const auto& c = view.record;
  out.set_id(c.id);
  out.set_tenant_id(c.tenant_id);
  out.set_bot_id(c.bot_id);
  out.set_type(c.kind);
  out.set_mode(c.mode);
  out.set_display_name(c.display_name);
  if (!c.last_four.empty()) out.set_credentials_hint("\xE2\x80\xA6" + c.last_four);
  out.set_state(c.state);
  out.set_state_error(c.state_error);
  if (c.last_inbound_at_us) *out.mutable_last_inbound_at() = rpc::timestamp_from_micros(c.last_inbound_at_us);
  out.set_last_delivery_error(c.last_delivery_error);
  if (c.last_delivery_error_at_us) {
    *out.mutable_last_delivery_error_at() = rpc::timestamp_from_micros(c.last_delivery_error_at_us);
  }
  *out.mutable_created_at() = rpc::timestamp_from_micros(c.created_at_us);
  out.set_webhook_url(view.webhook_url);
  out.set_pending_outbound(c.pending_outbound);
  out.set_failed_outbound(c.failed_outbound);
  out.set_window_closed_outbound(c.window_closed_outbound);
  out.set_failed_deliveries(c.failed_deliveries);
  if (view.webhook_info) {
    out.set_webhook_checked(true);
    out.set_webhook_pending_updates(view.webhook_info->pending_update_count);
    out.set_webhook_last_error(view.webhook_info->last_error_message);
    out.set_webhook_registered_url(view.webhook_info->url);
    if (view.webhook_info->last_error_date > 0) {
      *out.mutable_webhook_last_error_at() =
          rpc::timestamp_from_micros(view.webhook_info->last_error_date * 1000000);
    }
  }
  out.set_webhook_check_error(view.webhook_check_error);
  out.set_health_state(view.health_state);
}

}  // namespace

grpc::Status ChannelBindingGrpc::ConnectChannel(grpc::ServerContext*,
                                                const chat::v1::ConnectChannelRequest* request,
                                                chat::v1::Channel* response) {
  return rpc::guard("ConnectChannel", [&] {
    to_proto(bindings_.connect(ConnectRequest{request->tenant_id(), request->bot_id(), request->type(),
                                              request->mode(), request->token(),
                                              request->phone_number_id(), request->access_token(),
                                              request->app_secret(), request->verify_token(),
                                              request->instagram_account_id()}),
             *response);
  });
}

grpc::Status ChannelBindingGrpc::ListChannels(grpc::ServerContext*,
                                              const chat::v1::ListChannelsRequest* request,
                                              chat::v1::ListChannelsResponse* response) {
  return rpc::guard("ListChannels", [&] {
    for (const auto& view : bindings_.list(request->tenant_id(), request->bot_id())) {
      to_proto(view, *response->add_channels());
    }
  });
}

grpc::Status ChannelBindingGrpc::DisconnectChannel(grpc::ServerContext*,
                                                   const chat::v1::DisconnectChannelRequest* request,
                                                   chat::v1::DisconnectChannelResponse*) {
  return rpc::guard("DisconnectChannel", [&] {
    bindings_.disconnect(request->tenant_id(), request->bot_id(), request->channel_id());
  });
}

grpc::Status ChannelBindingGrpc::ReceiveTelegramUpdate(
    grpc::ServerContext*, const chat::v1::ReceiveTelegramUpdateRequest* request,
    chat::v1::ReceiveTelegramUpdateResponse* response) {
  return rpc::guard("ReceiveTelegramUpdate", [&] {
    response->set_duplicate(bindings_.receive_telegram_update(request->channel_id(),
                                                              request->secret_token(), request->body()));
  });
}

grpc::Status ChannelBindingGrpc::VerifyMetaWebhook(grpc::ServerContext*,
                                                   const chat::v1::VerifyMetaWebhookRequest* request,
                                                   chat::v1::VerifyMetaWebhookResponse* response) {
  return rpc::guard("VerifyMetaWebhook", [&] {
    response->set_challenge(bindings_.verify_meta_webhook(request->channel_id(), request->mode(),
                                                          request->verify_token(), request->challenge()));
  });
}

grpc::Status ChannelBindingGrpc::ReceiveMetaWebhook(grpc::ServerContext*,
                                                    const chat::v1::ReceiveMetaWebhookRequest* request,
                                                    chat::v1::ReceiveMetaWebhookResponse* response) {
  return rpc::guard("ReceiveMetaWebhook", [&] {
    auto outcome = bindings_.receive_meta_webhook(request->channel_id(), request->signature(), request->body());
    response->set_messages_stored(outcome.messages_stored);
    response->set_statuses_recorded(outcome.statuses_recorded);
  });
}

grpc::Status ChannelBindingGrpc::ListFailedDeliveries(grpc::ServerContext*,
                                                      const chat::v1::ListFailedDeliveriesRequest* request,
                                                      chat::v1::ListFailedDeliveriesResponse* response) {
  return rpc::guard("ListFailedDeliveries", [&] {
    if (!deliveries_) throw rpc::StatusError(grpc::StatusCode::UNIMPLEMENTED, "deliveries are not served");
    for (const auto& row : deliveries_->list_failed(request->tenant_id(), request->bot_id(),
                                                    request->channel_id(), request->limit())) {
      auto* out = response->add_deliveries();
      out->set_id(row.id);
      out->set_chat_id(row.chat_id);
      out->set_text_preview(row.text_preview);
      out->set_attempts(row.attempts);
      out->set_last_error(row.last_error);
      if (row.failed_at_us) *out->mutable_failed_at() = rpc::timestamp_from_micros(row.failed_at_us);
      out->set_status(row.status);
    }
  });
}

grpc::Status ChannelBindingGrpc::ReplayDeliveries(grpc::ServerContext*,
                                                  const chat::v1::ReplayDeliveriesRequest* request,
                                                  chat::v1::ReplayDeliveriesResponse* response) {
  return rpc::guard("ReplayDeliveries", [&] {
    if (!deliveries_) throw rpc::StatusError(grpc::StatusCode::UNIMPLEMENTED, "deliveries are not served");
    std::vector<std::int64_t> ids(request->ids().begin(), request->ids().end());
    response->set_replayed(
        deliveries_->replay(request->tenant_id(), request->bot_id(), request->channel_id(), ids));
  });
}

}  // namespace botfactory::channel
