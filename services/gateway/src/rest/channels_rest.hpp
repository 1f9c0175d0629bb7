#pragma once
// REST for channel bindings (docs/api.md "Channels"): POST/GET /api/v1/bots/{id}/channels and
// DELETE /api/v1/bots/{id}/channels/{channel_id}, each one channel-connector
// ChannelBindingService call. The token goes in, never out: responses carry credentials_hint.

#include <string>

#include "http/http_message.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// POST {"type":"telegram","token":"…","mode":"polling"|"webhook"} → 201 with the channel.
/// Throws ApiError (400 validation, 404, 402 plan limit, 409, 503).
HttpResponse create_channel(const Upstreams& upstreams, const std::string& tenant_id,
                            const std::string& bot_id, const HttpRequest& request);
/// GET → 200 {"channels":[…]} with health.
HttpResponse list_channels(const Upstreams& upstreams, const std::string& tenant_id,
                           const std::string& bot_id);
/// DELETE → 204.
HttpResponse delete_channel(const Upstreams& upstreams, const std::string& tenant_id,
                            const std::string& bot_id, const std::string& channel_id);

}  // namespace botfactory::gateway
