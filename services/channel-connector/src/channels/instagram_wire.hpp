#pragma once
// Instagram messaging wire formats (Messenger Platform for Instagram, docs/channels.md): the
// webhook payload (object "instagram", entry[].messaging[] with sender.id, message.mid,
// message.text; https://developers.facebook.com/docs/messenger-platform/instagram/features/webhook)
// and the send body of POST /<ig-account-id>/messages
// ({"recipient":{"id"},"message":{"text"}}). Signatures are the WhatsApp ones
// (X-Hub-Signature-256, whatsapp_wire.hpp): the same Meta webhook machinery.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "channels/whatsapp_wire.hpp"

namespace botfactory::channel::instagram {

/// Instagram's text message limit (characters).
inline constexpr std::size_t kMaxTextChars = 1000;

/// The messages of a webhook body (UTF-8 JSON with an `entry` array): id = message.mid, from =
/// sender.id, type "text" when message.text is a string (else "other"); echoes of the account's
/// own messages (message.is_echo) and entries without a message are skipped; at most
/// whatsapp::kMaxItemsPerCall. nullopt when the body is not such an object. Never throws.
std::optional<std::vector<whatsapp::InboundMessage>> parse_webhook(std::string_view body);

/// {"recipient":{"id":…},"message":{"text":…}}.
std::string send_text_body(std::string_view recipient_id, std::string_view text);
/// message_id of a send answer, "" when absent.
std::string sent_message_id(std::string_view body);

}  // namespace botfactory::channel::instagram
