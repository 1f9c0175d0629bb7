#pragma once
// The public WhatsApp Cloud API webhook routes (docs/channels.md):
// GET /webhooks/whatsapp/{channel_id} answers Meta's verification request (hub.mode=subscribe,
// hub.verify_token, hub.challenge → the challenge as text/plain, else 403), and
// POST /webhooks/whatsapp/{channel_id} requires X-Hub-Signature-256 ("sha256=<hex HMAC-SHA256
// of the raw body keyed with the app secret>",
// https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads):
// missing → 401 before the body is read; channel-connector checks it (constant time) before
// it parses or stores anything.

#include <string>
#include <string_view>

#include "http/http_message.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// The header Meta signs webhook calls in.
inline constexpr const char* kMetaSignatureHeader = "X-Hub-Signature-256";

/// The channel id of "/webhooks/whatsapp/<id>" or "/webhooks/instagram/<id>" (the same Meta
/// verification and signature; channel-connector parses by the channel's kind), "" otherwise.
std::string whatsapp_webhook_channel(std::string_view path);

/// Answers one WhatsApp webhook request: GET verification (200 text/plain challenge, or 403),
/// POST (401 without or with a wrong signature or for an unknown channel, 413 over
/// kWebhookMaxBodyBytes, 400 not a payload, 503 channel-connector unavailable, 200 once stored),
/// 405 otherwise. `request.webhook_secret` holds the signature header. Never throws. Blocking.
HttpResponse handle_whatsapp_webhook(const Upstreams& upstreams, const HttpRequest& request,
                                     const std::string& channel_id);

}  // namespace botfactory::gateway
