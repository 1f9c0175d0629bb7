#include "webhooks/telegram_webhook.hpp"

#include "botfactory/common/ids.hpp"
#include "http/api_error.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {

bool is_webhook_path(std::string_view path) { return path.rfind("/webhooks/", 0) == 0; }

std::string telegram_webhook_channel(std::string_view path) {
  constexpr std::string_view kPrefix = "/webhooks/telegram/";
  if (path.rfind(kPrefix, 0) != 0) return {};
  auto id = path.substr(kPrefix.size());
  if (!id.empty() && id.back() == '/') id.remove_suffix(1);
  return std::string(id);
}

HttpResponse handle_telegram_webhook(const Upstreams& upstreams, const HttpRequest& request,
                                     const std::string& channel_id) {
  if (request.method != "POST") {
    auto response = error_response(405, "method_not_allowed", "webhooks are POST only");
    response.headers.emplace_back("Allow", "POST");
    return response;
  }
  if (request.body.size() > kWebhookMaxBodyBytes) {
    return error_response(413, "payload_too_large", "request body too large");
  }
  if (request.webhook_secret.empty() || request.webhook_secret.size() > 256 ||
      !common::is_uuid(channel_id) || !upstreams.channels) {
    return error_response(403, "forbidden", "forbidden");
  }
  chat::v1::ReceiveTelegramUpdateRequest rpc_request;
  rpc_request.set_channel_id(channel_id);
  rpc_request.set_secret_token(request.webhook_secret);
  rpc_request.set_body(request.body);
  chat::v1::ReceiveTelegramUpdateResponse rpc_response;
  auto status = upstreams.call(*upstreams.channels, &ChannelsRpc::ReceiveTelegramUpdate,
                               rpc_request, rpc_response);
  if (!status.ok()) {
    auto error = api_error_from_grpc(status);
    return error_response(error.status(), error.code(), error.what());
  }
  HttpResponse response;
  response.body = R"({"ok":true})";
  return response;
}

}  // namespace botfactory::gateway
