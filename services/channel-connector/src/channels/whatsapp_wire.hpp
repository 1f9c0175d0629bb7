#pragma once
// The WhatsApp Cloud API wire formats (docs/channels.md): the webhook payload
// (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples:
// entry[].changes[].value.messages[] / statuses[] / contacts[].profile.name), the
// X-Hub-Signature-256 check (https://developers.facebook.com/docs/graph-api/webhooks/getting-started
// "Validating Payloads": HMAC-SHA256 of the raw body keyed with the app secret), the stored form
// of one inbound message, and the text message body of POST /{phone-number-id}/messages.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::channel::whatsapp {

/// WhatsApp's text message limit (characters of text.body).
inline constexpr std::size_t kMaxTextChars = 4096;
/// Most messages / statuses taken from one webhook call (the rest are ignored).
inline constexpr std::size_t kMaxItemsPerCall = 1000;

/// One inbound message. `text` is empty for non-text types (image, sticker…), which are stored
/// and ignored.
struct InboundMessage {
  std::string id;    // wamid, the inbox's external id
  std::string from;  // the customer's WhatsApp id (phone number), the chat id
  std::string name;  // contacts[].profile.name of `from`, "" when absent
  std::string type;  // "text", "image", …
  std::string text;
  std::int64_t timestamp_s = 0;
};

/// One delivery status of an outbound message.
struct StatusUpdate {
  std::string id;      // the wamid returned by /messages
  std::string status;  // "sent" | "delivered" | "read" | "failed" (others kept as given)
  std::string recipient_id;
  std::string error;   // failed: errors[0] "code title", else ""
};

struct WebhookPayload {
  std::vector<InboundMessage> messages;
  std::vector<StatusUpdate> statuses;
};

/// Parses a webhook body (UTF-8 JSON, object "whatsapp_business_account"); nullopt when it is
/// not JSON or not an object with an `entry` array. Malformed items are skipped. Never throws.
std::optional<WebhookPayload> parse_webhook(std::string_view body);

/// True when `header` is "sha256=<64 hex digits>" and equals the HMAC-SHA256 of `body` keyed
/// with `app_secret` (libsodium crypto_auth_hmacsha256, compared in constant time).
bool signature_ok(std::string_view app_secret, std::string_view body, std::string_view header);
/// "sha256=<hex>" for `body` under `app_secret` (what Meta sends; the tests sign with it).
std::string sign(std::string_view app_secret, std::string_view body);

/// The inbox payload of one message (JSON), and back; nullopt when malformed.
std::string stored_message_json(const InboundMessage& message);
std::optional<InboundMessage> parse_stored_message(std::string_view json);

/// {"messaging_product":"whatsapp","to":…,"type":"text","text":{"body":…}}.
std::string send_text_body(std::string_view to, std::string_view text);
/// messages[0].id of a /messages answer, "" when absent.
std::string sent_message_id(std::string_view body);

/// Meta's error of a failed Graph call: error.code and error.message (0/"" when absent).
struct GraphError {
  long code = 0;
  std::string message;
};
GraphError parse_graph_error(std::string_view body);

/// Meta's error code for a free-form message outside the 24-hour window ("Re-engagement
/// message", https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
inline constexpr long kReengagementError = 131047;

}  // namespace botfactory::channel::whatsapp
