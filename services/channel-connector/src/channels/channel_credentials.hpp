#pragma once
// Channel credentials sealed at rest: a small JSON object ({"token":…,"webhook_secret":…} for
// Telegram; WhatsApp/Instagram add access_token, app_secret, verify_token) sealed with
// crypto::SecretBox under CHANNEL_CREDENTIALS_SECRET. Never logged or returned: reads show
// mask_last_four() only.

#include <string>
#include <string_view>

#include "botfactory/crypto/secret_box.hpp"

namespace botfactory::channel {

/// The secret environment variable whose 32-byte key seals channel credentials.
inline constexpr const char* kChannelCredentialsSecretEnv = "CHANNEL_CREDENTIALS_SECRET";

/// Everything secret of one binding; fields a kind does not use stay empty.
struct ChannelCredentials {
  std::string token{};           // Telegram bot token
  std::string webhook_secret{};  // Telegram setWebhook secret_token (webhook mode)
  std::string access_token{};    // WhatsApp: Graph API Bearer token
  std::string app_secret{};      // WhatsApp: the Meta app secret (X-Hub-Signature-256 key)
  std::string verify_token{};    // WhatsApp: hub.verify_token of the webhook verification
};

/// Seals `credentials` (JSON inside the box).
crypto::SealedValue seal_credentials(const crypto::SecretBox& box, const ChannelCredentials& credentials);
/// Opens a sealed value; crypto::DecryptError when it does not open, std::runtime_error when
/// the JSON inside is malformed.
ChannelCredentials open_credentials(const crypto::SecretBox& box, const crypto::SealedValue& sealed);
/// Parses the JSON inside the box; std::runtime_error when it is not an object of strings.
ChannelCredentials parse_credentials(std::string_view json);

/// The last four characters of `secret` (ASCII), or "" when it is shorter than 12 characters.
std::string mask_last_four(std::string_view secret);

}  // namespace botfactory::channel
