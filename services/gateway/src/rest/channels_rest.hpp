#pragma once
// REST for channel bindings (docs/api.md "Channels"): POST/GET /api/v1/bots/{id}/channels,
// DELETE /api/v1/bots/{id}/channels/{channel_id}, and the channel's failed outbound messages
// (GET …/{channel_id}/deliveries, POST …/{channel_id}/deliveries/replay), each one
// channel-connector ChannelBindingService call. The token goes in, never out: responses carry
// credentials_hint.

#include <string>

#include "http/http_message.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// POST {"type":"telegram","token":"…","mode":"polling"|"webhook"} (or the WhatsApp / Instagram
/// fields) → 201 with the channel. Throws ApiError (400 validation_failed, 400
/// invalid_credentials when Telegram / the Graph API refuses them, 404, 402 plan limit, 409,
/// 502 provider_unreachable when they cannot be asked, 503).
HttpResponse create_channel(const Upstreams& upstreams, const std::string& tenant_id,
                            const std::string& bot_id, const HttpRequest& request);
/// GET → 200 {"channels":[…]} with health.
HttpResponse list_channels(const Upstreams& upstreams, const std::string& tenant_id,
                           const std::string& bot_id);
/// DELETE → 204.
HttpResponse delete_channel(const Upstreams& upstreams, const std::string& tenant_id,
                            const std::string& bot_id, const std::string& channel_id);
/// GET …/deliveries?status=failed&limit=N (1..200, default 50) → 200 {"deliveries":[{"id",
/// "chat_id","text_preview","attempts","last_error","failed_at","status"}]}, newest first. 400
/// for another status or a bad limit; 404 when the channel is not the tenant's bot's.
HttpResponse list_failed_deliveries(const Upstreams& upstreams, const std::string& tenant_id,
                                    const std::string& bot_id, const std::string& channel_id,
                                    const HttpRequest& request);
/// POST …/deliveries/replay with an optional body {"ids":[…]} (≤ 1000 ids, strings or numbers;
/// absent or empty body = all failed messages of the channel) → 200 {"replayed": N}. 400 for a
/// bad body, 404 as above.
HttpResponse replay_deliveries(const Upstreams& upstreams, const std::string& tenant_id,
                               const std::string& bot_id, const std::string& channel_id,
                               const HttpRequest& request);

}  // namespace botfactory::gateway
