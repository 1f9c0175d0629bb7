#include "webhooks/whatsapp_webhook.hpp"

#include "botfactory/common/ids.hpp"
#include "http/api_error.hpp"
#include "rest/upstreams.hpp"
#include "webhooks/telegram_webhook.hpp"

namespace botfactory::gateway {
namespace {

std::string query_value(const HttpRequest& request, const char* key) {
  auto it = request.query.find(key);
  return it == request.query.end() ? std::string() : it->second;
}

HttpResponse verify(const Upstreams& upstreams, const HttpRequest& request, const std::string& channel_id) {
  auto mode = query_value(request, "hub.mode");
  auto token = query_value(request, "hub.verify_token");
  auto challenge = query_value(request, "hub.challenge");
  if (mode != "subscribe" || token.empty() || token.size() > 256 || challenge.size() > 256 ||
      !common::is_uuid(channel_id) || !upstreams.channels) {
    return error_response(403, "forbidden", "forbidden");
  }
  chat::v1::VerifyMetaWebhookRequest rpc_request;
  rpc_request.set_channel_id(channel_id);
  rpc_request.set_mode(mode);
  rpc_request.set_verify_token(token);
  rpc_request.set_challenge(challenge);
  chat::v1::VerifyMetaWebhookResponse rpc_response;
  auto status = upstreams.call(*upstreams.channels, &ChannelsRpc::VerifyMetaWebhook, rpc_request, rpc_response);
  if (!status.ok()) {
    auto error = api_error_from_grpc(status);
    return error_response(error.status(), error.code(), error.what());
  }
  HttpResponse response;
  response.content_type = "text/plain; charset=utf-8";
  response.body = rpc_response.challenge();
  return response;
}

}  // namespace

std::string whatsapp_webhook_channel(std::string_view path) {
  std::string_view prefix;
  for (std::string_view p : {"/webhooks/whatsapp/", "/webhooks/instagram/"}) {
    if (path.rfind(p, 0) == 0) prefix = p;
  }
  if (prefix.empty()) return {};
  auto id = path.substr(prefix.size());
  if (!id.empty() && id.back() == '/') id.remove_suffix(1);
  return std::string(id);
}

HttpResponse handle_whatsapp_webhook(const Upstreams& upstreams, const HttpRequest& request,
                                     const std::string& channel_id) {
  if (request.method == "GET") return verify(upstreams, request, channel_id);
  if (request.method != "POST") {
    auto response = error_response(405, "method_not_allowed", "webhooks are GET (verification) or POST");
    response.headers.emplace_back("Allow", "GET, POST");
    return response;
  }
  if (request.webhook_secret.empty() || request.webhook_secret.size() > 100 ||
      !common::is_uuid(channel_id) || !upstreams.channels) {
    return error_response(401, "unauthorized", "invalid signature");
  }
  if (request.body.size() > kWebhookMaxBodyBytes) {
    return error_response(413, "payload_too_large", "request body too large");
  }
  chat::v1::ReceiveMetaWebhookRequest rpc_request;
  rpc_request.set_channel_id(channel_id);
  rpc_request.set_signature(request.webhook_secret);
  rpc_request.set_body(request.body);
  chat::v1::ReceiveMetaWebhookResponse rpc_response;
  auto status = upstreams.call(*upstreams.channels, &ChannelsRpc::ReceiveMetaWebhook, rpc_request, rpc_response);
  if (!status.ok()) {
    auto error = api_error_from_grpc(status);
    return error_response(error.status(), error.code(), error.what());
  }
  HttpResponse response;
  response.body = R"({"ok":true})";
  return response;
}

}  // namespace botfactory::gateway
