#pragma once
// look: GET /api/v1/widget/{public_id} (docs/api.md "Widget sessions", "The widget's look before
// a session"): what a visitor's page may know about a bot before any conversation exists, so
// that the widget's button has the bot's colour and side from the first page view.

#include <string>

#include "http/http_message.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// `200 {"bot": {name, language, greeting, widget}}` for the bot with `public_id`, with
/// `Cache-Control: no-store` (a saved change shows on the next page view). No authentication
/// (an Authorization header is ignored): the public id is the capability, as for widget
/// sessions, and nothing is created. Throws ApiError 404 `not_found` (unknown or malformed
/// public id) and 403 `origin_not_allowed` when the bot has allowed_origins and the request's
/// Origin header is not one of them (widget_session_origin(); browsers omit Origin on
/// same-origin GETs, so a same-origin page of such a bot is refused too).
HttpResponse widget_appearance_rest(const Upstreams& upstreams, const HttpRequest& request,
                                    const std::string& public_id);

}  // namespace botfactory::gateway
