#include "rest/widget_appearance_rest.hpp"

#include <boost/json.hpp>

#include "http/api_error.hpp"
#include "rest/json_response.hpp"
#include "rest/upstreams.hpp"
#include "rest/widget_appearance_json.hpp"
#include "rest/widget_origin.hpp"

namespace botfactory::gateway {

HttpResponse widget_appearance_rest(const Upstreams& upstreams, const HttpRequest& request,
                                    const std::string& public_id) {
  registry::v1::GetBotByPublicIdRequest rpc_request;
  rpc_request.set_public_id(public_id);
  registry::v1::Bot bot;
  check(upstreams.call(*upstreams.registry, &RegistryRpc::GetBotByPublicId, rpc_request, bot));
  if (!widget_session_origin(bot, request.origin)) {
    throw ApiError(403, "origin_not_allowed",
                   "this bot's widget may not be used from this web page (Origin not allowed)");
  }
  auto response = json_response(200, boost::json::object{{"bot", widget_bot_json(bot)}});
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace botfactory::gateway
