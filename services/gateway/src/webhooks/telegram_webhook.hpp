#pragma once
// The public Telegram webhook route POST /webhooks/telegram/{channel_id} (docs/channels.md):
// the body limit and the X-Telegram-Bot-Api-Secret-Token header are checked before any work
// (https://core.telegram.org/bots/api#setwebhook: "the header … in every webhook request"),
// then the raw update goes to channel-connector (ReceiveTelegramUpdate), which compares the
// secret with the channel's and stores the update durably before the 200 goes back.

#include <cstddef>
#include <string>
#include <string_view>

#include "http/http_message.hpp"

namespace botfactory::gateway {

struct Upstreams;

/// Largest webhook body read (bytes); bigger → 413 before the body is read. Telegram updates
/// are a few KiB.
inline constexpr std::size_t kWebhookMaxBodyBytes = 262144;
/// The header Telegram sends the secret_token in.
inline constexpr const char* kTelegramSecretHeader = "X-Telegram-Bot-Api-Secret-Token";

/// True for paths under /webhooks/.
bool is_webhook_path(std::string_view path);

/// The channel id of "/webhooks/telegram/<id>", "" for any other path.
std::string telegram_webhook_channel(std::string_view path);

/// Answers one webhook request (POST only): 403 `forbidden` for a missing or wrong secret or an
/// unknown channel, 413 for a body over kWebhookMaxBodyBytes, 400 for a body that is not an
/// Update, 503 when channel-connector is unavailable (Telegram retries), 200 `{"ok":true}`
/// once stored (also for a repeated update). Never throws. Blocking: run on the worker pool.
HttpResponse handle_telegram_webhook(const Upstreams& upstreams, const HttpRequest& request,
                                     const std::string& channel_id);

}  // namespace botfactory::gateway
