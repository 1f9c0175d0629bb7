#include "rest/channels_rest.hpp"

#include <boost/json.hpp>

#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

std::string string_field(const json::object& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->value().is_null()) return {};
  if (!it->value().is_string()) {
    throw ApiError(400, "validation_failed", std::string(key) + " must be a string");
  }
  return std::string(it->value().as_string());
}

json::value time_or_null(bool set, const google::protobuf::Timestamp& at) {
  if (!set) return nullptr;
  return json::value(rpc::rfc3339(at));
}

/// Telegram's getWebhookInfo of a webhook-mode channel; null when not asked or not answered.
json::value webhook_json(const chat::v1::Channel& c) {
  if (!c.webhook_checked()) return nullptr;
  return json::object{{"registered_url", c.webhook_registered_url()},
                      {"pending_update_count", c.webhook_pending_updates()},
                      {"last_error", c.webhook_last_error().empty() ? json::value(nullptr)
                                                                    : json::value(c.webhook_last_error())}};
}

json::object channel_json(const chat::v1::Channel& c) {
  return {{"id", c.id()},
          {"bot_id", c.bot_id()},
          {"type", c.type()},
          {"mode", c.mode()},
          {"display_name", c.display_name()},
          {"credentials_hint", c.credentials_hint()},
          {"webhook_url", c.webhook_url().empty() ? json::value(nullptr) : json::value(c.webhook_url())},
          {"created_at", rpc::rfc3339(c.created_at())},
          {"health",
           json::object{
               {"state", c.state()},
               {"error", c.state_error().empty() ? json::value(nullptr) : json::value(c.state_error())},
               {"last_inbound_at", time_or_null(c.has_last_inbound_at(), c.last_inbound_at())},
               {"last_delivery_error", c.last_delivery_error().empty()
                                           ? json::value(nullptr)
                                           : json::value(c.last_delivery_error())},
               {"last_delivery_error_at",
                time_or_null(c.has_last_delivery_error_at(), c.last_delivery_error_at())},
               {"pending_outbound", c.pending_outbound()},
               {"failed_outbound", c.failed_outbound()},
               {"window_closed_outbound", c.window_closed_outbound()},
               {"webhook", webhook_json(c)}}}};
}

HttpResponse json_response(int status, const json::value& value) {
  HttpResponse response;
  response.status = status;
  response.body = json::serialize(value);
  return response;
}

ChannelsRpc& channels_stub(const Upstreams& upstreams) {
  if (!upstreams.channels) throw ApiError(503, "unavailable", "channels are unavailable");
  return *upstreams.channels;
}

}  // namespace

HttpResponse create_channel(const Upstreams& upstreams, const std::string& tenant_id,
                            const std::string& bot_id, const HttpRequest& request) {
  auto body = parse_json_object(request.body);
  chat::v1::ConnectChannelRequest rpc_request;
  rpc_request.set_tenant_id(tenant_id);
  rpc_request.set_bot_id(bot_id);
  rpc_request.set_type(string_field(body, "type"));
  rpc_request.set_mode(string_field(body, "mode"));
  rpc_request.set_token(string_field(body, "token"));
  rpc_request.set_phone_number_id(string_field(body, "phone_number_id"));
  rpc_request.set_access_token(string_field(body, "access_token"));
  rpc_request.set_app_secret(string_field(body, "app_secret"));
  rpc_request.set_verify_token(string_field(body, "verify_token"));
  rpc_request.set_instagram_account_id(string_field(body, "instagram_account_id"));
  chat::v1::Channel channel;
  check(upstreams.call(channels_stub(upstreams), &ChannelsRpc::ConnectChannel, rpc_request, channel));
  auto response = json_response(201, channel_json(channel));
  response.headers.emplace_back("Location", "/api/v1/bots/" + bot_id + "/channels/" + channel.id());
  return response;
}

HttpResponse list_channels(const Upstreams& upstreams, const std::string& tenant_id,
                           const std::string& bot_id) {
  chat::v1::ListChannelsRequest rpc_request;
  rpc_request.set_tenant_id(tenant_id);
  rpc_request.set_bot_id(bot_id);
  chat::v1::ListChannelsResponse rpc_response;
  check(upstreams.call(channels_stub(upstreams), &ChannelsRpc::ListChannels, rpc_request, rpc_response));
  json::array channels;
  for (const auto& c : rpc_response.channels()) channels.push_back(channel_json(c));
  return json_response(200, json::object{{"channels", std::move(channels)}});
}

HttpResponse delete_channel(const Upstreams& upstreams, const std::string& tenant_id,
                            const std::string& bot_id, const std::string& channel_id) {
  chat::v1::DisconnectChannelRequest rpc_request;
  rpc_request.set_tenant_id(tenant_id);
  rpc_request.set_bot_id(bot_id);
  rpc_request.set_channel_id(channel_id);
  chat::v1::DisconnectChannelResponse rpc_response;
  check(upstreams.call(channels_stub(upstreams), &ChannelsRpc::DisconnectChannel, rpc_request,
                       rpc_response));
  HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

}  // namespace botfactory::gateway
