#include "rest/channels_rest.hpp"

#include <cstdint>

#include <boost/json.hpp>

#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"
#include "rest/json_response.hpp"
#include "rest/query_params.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

json::value time_or_null(bool set, const google::protobuf::Timestamp& at) {
  if (!set) return nullptr;
  return json::value(rpc::rfc3339(at));
}

json::value string_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

/// Telegram's getWebhookInfo of a webhook-mode channel: {"url", "pending_update_count",
/// "last_error_message", "last_error_at", "error"} ("error" says why it could not be asked; the
/// other fields are null then; "registered_url" and "last_error" repeat "url" and
/// "last_error_message" for older clients); null for polling and Meta channels.
json::value webhook_json(const chat::v1::Channel& c) {
  if (!c.webhook_checked() && c.webhook_check_error().empty()) return nullptr;
  if (!c.webhook_checked()) {
    return json::object{{"url", nullptr},           {"pending_update_count", nullptr},
                        {"last_error_message", nullptr}, {"last_error_at", nullptr},
                        {"registered_url", nullptr}, {"last_error", nullptr},
                        {"error", c.webhook_check_error()}};
  }
  return json::object{{"url", c.webhook_registered_url()},
                      {"pending_update_count", c.webhook_pending_updates()},
                      {"last_error_message", string_or_null(c.webhook_last_error())},
                      {"last_error_at", time_or_null(c.has_webhook_last_error_at(), c.webhook_last_error_at())},
                      {"registered_url", c.webhook_registered_url()},
                      {"last_error", string_or_null(c.webhook_last_error())},
                      {"error", nullptr}};
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
               {"state", c.health_state().empty() ? c.state() : c.health_state()},
               {"error", c.state_error().empty() ? json::value(nullptr) : json::value(c.state_error())},
               {"last_inbound_at", time_or_null(c.has_last_inbound_at(), c.last_inbound_at())},
               {"last_delivery_error", c.last_delivery_error().empty()
                                           ? json::value(nullptr)
                                           : json::value(c.last_delivery_error())},
               {"last_delivery_error_at",
                time_or_null(c.has_last_delivery_error_at(), c.last_delivery_error_at())},
               {"failed_deliveries", c.failed_deliveries()},
               {"pending_outbound", c.pending_outbound()},
               {"failed_outbound", c.failed_outbound()},
               {"window_closed_outbound", c.window_closed_outbound()},
               {"webhook", webhook_json(c)}}}};
}

ChannelsRpc& channels_stub(const Upstreams& upstreams) {
  if (!upstreams.channels) throw ApiError(503, "unavailable", "channels are unavailable");
  return *upstreams.channels;
}

/// ConnectChannel's named failures (chat.v1.ChannelErrorInfo in the status details): 400
/// invalid_credentials, 502 provider_unreachable; anything else as every upstream status.
void check_connect(const grpc::Status& status) {
  if (status.ok()) return;
  chat::v1::ChannelErrorInfo info;
  if (!status.error_details().empty() && info.ParseFromString(status.error_details())) {
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT && info.code() == "invalid_credentials") {
      throw ApiError(400, "invalid_credentials", status.error_message());
    }
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE && info.code() == "provider_unreachable") {
      throw ApiError(502, "provider_unreachable", status.error_message());
    }
  }
  check(status);
}

/// One delivery id of {"ids":[…]}: a positive integer, or a string of its decimal digits.
std::int64_t delivery_id(const json::value& v) {
  std::int64_t id = 0;
  if (v.is_int64()) {
    id = v.as_int64();
  } else if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    id = static_cast<std::int64_t>(v.as_uint64());
  } else if (v.is_string()) {
    id = parse_decimal(v.as_string(), 1, INT64_MAX).value_or(0);
  }
  if (id <= 0) throw ApiError(400, "validation_failed", "ids must be delivery ids (positive integers)");
  return id;
}

constexpr std::size_t kMaxReplayIds = 1000;

}  // namespace

HttpResponse create_channel(const Upstreams& upstreams, const std::string& tenant_id,
                            const std::string& bot_id, const HttpRequest& request) {
  auto body = parse_json_object(request.body);
  chat::v1::ConnectChannelRequest rpc_request;
  rpc_request.set_tenant_id(tenant_id);
  rpc_request.set_bot_id(bot_id);
  rpc_request.set_type(string_member(body, "type"));
  rpc_request.set_mode(string_member(body, "mode"));
  rpc_request.set_token(string_member(body, "token"));
  rpc_request.set_phone_number_id(string_member(body, "phone_number_id"));
  rpc_request.set_access_token(string_member(body, "access_token"));
  rpc_request.set_app_secret(string_member(body, "app_secret"));
  rpc_request.set_verify_token(string_member(body, "verify_token"));
  rpc_request.set_instagram_account_id(string_member(body, "instagram_account_id"));
  chat::v1::Channel channel;
  check_connect(upstreams.call(channels_stub(upstreams), &ChannelsRpc::ConnectChannel, rpc_request, channel));
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

HttpResponse list_failed_deliveries(const Upstreams& upstreams, const std::string& tenant_id,
                                    const std::string& bot_id, const std::string& channel_id,
                                    const HttpRequest& request) {
  if (auto it = request.query.find("status"); it != request.query.end() && it->second != "failed") {
    throw ApiError(400, "validation_failed", "status must be \"failed\"");
  }
  auto limit = static_cast<std::int32_t>(query_int(request, "limit", 50, 1, 200));
  chat::v1::ListFailedDeliveriesRequest rpc_request;
  rpc_request.set_tenant_id(tenant_id);
  rpc_request.set_bot_id(bot_id);
  rpc_request.set_channel_id(channel_id);
  rpc_request.set_limit(limit);
  chat::v1::ListFailedDeliveriesResponse rpc_response;
  check(upstreams.call(channels_stub(upstreams), &ChannelsRpc::ListFailedDeliveries, rpc_request,
                       rpc_response));
  json::array deliveries;
  for (const auto& d : rpc_response.deliveries()) {
    deliveries.push_back(json::object{{"id", std::to_string(d.id())},
                                      {"chat_id", d.chat_id()},
                                      {"text_preview", d.text_preview()},
                                      {"attempts", d.attempts()},
                                      {"last_error", d.last_error()},
                                      {"failed_at", time_or_null(d.has_failed_at(), d.failed_at())},
                                      {"status", d.status()}});
  }
  return json_response(200, json::object{{"deliveries", std::move(deliveries)}});
}

HttpResponse replay_deliveries(const Upstreams& upstreams, const std::string& tenant_id,
                               const std::string& bot_id, const std::string& channel_id,
                               const HttpRequest& request) {
  auto body = parse_json_object(request.body, /*allow_empty=*/true);
  chat::v1::ReplayDeliveriesRequest rpc_request;
  rpc_request.set_tenant_id(tenant_id);
  rpc_request.set_bot_id(bot_id);
  rpc_request.set_channel_id(channel_id);
  if (auto it = body.find("ids"); it != body.end() && !it->value().is_null()) {
    if (!it->value().is_array()) throw ApiError(400, "validation_failed", "ids must be an array");
    const auto& ids = it->value().as_array();
    if (ids.empty()) {
      throw ApiError(400, "validation_failed", "ids must name at least one delivery; omit it to replay all");
    }
    if (ids.size() > kMaxReplayIds) {
      throw ApiError(400, "validation_failed", "at most " + std::to_string(kMaxReplayIds) + " ids a call");
    }
    for (const auto& id : ids) rpc_request.add_ids(delivery_id(id));
  }
  chat::v1::ReplayDeliveriesResponse rpc_response;
  check(upstreams.call(channels_stub(upstreams), &ChannelsRpc::ReplayDeliveries, rpc_request, rpc_response));
  return json_response(200, json::object{{"replayed", rpc_response.replayed()}});
}

}  // namespace botfactory::gateway
