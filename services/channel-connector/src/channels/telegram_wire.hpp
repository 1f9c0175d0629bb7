#pragma once
// The Telegram Bot API's JSON (https://core.telegram.org/bots/api): parsing of API answers and
// Update objects, and the request bodies BotFactory sends. Boost.JSON; no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::channel::telegram {

/// An API answer {"ok":…, "result":…, "error_code":…, "description":…, "parameters":
/// {"retry_after":…}} (https://core.telegram.org/bots/api#making-requests,
/// #responseparameters). `result` is the raw JSON of the result ("" when absent).
struct ApiAnswer {
  bool ok = false;
  int error_code = 0;
  std::string description;
  int retry_after_s = 0;  // parameters.retry_after (429), 0 when absent
  std::string result;
};

/// Parses an API answer; std::nullopt when `body` is not a JSON object with a boolean "ok".
/// At most 1 MiB is looked at (Telegram answers are small).
std::optional<ApiAnswer> parse_answer(std::string_view body);

/// The bot of getMe (https://core.telegram.org/bots/api#getme): id and username.
struct BotIdentity {
  std::int64_t id = 0;
  std::string username;
  std::string first_name;
};
/// From getMe's result JSON; std::nullopt when it has no integer id.
std::optional<BotIdentity> parse_bot_identity(std::string_view result);

/// What BotFactory uses of one Update (https://core.telegram.org/bots/api#update): a text
/// message of a private chat (message or edited_message is not used: `message` only).
struct InboundText {
  std::int64_t update_id = 0;
  bool has_message = false;  // false: an update kind BotFactory ignores (stored, marked done)
  std::int64_t chat_id = 0;
  std::string chat_type;     // "private", "group", …
  std::int64_t from_id = 0;  // 0 when absent (channel posts)
  std::string display_name;  // "First Last", else "@username", else "Telegram user <id>"
  std::string username;
  std::string text;          // "" for non-text messages (stickers, photos …)
};

/// Parses one Update; std::nullopt when `update` is not an object with an integer update_id.
std::optional<InboundText> parse_update(std::string_view update);

/// getUpdates's result array split into the raw JSON of each update and its update_id
/// (entries without an integer update_id are skipped).
struct RawUpdate {
  std::int64_t update_id = 0;
  std::string json;
};
std::vector<RawUpdate> split_updates(std::string_view result);

/// getWebhookInfo's result (https://core.telegram.org/bots/api#webhookinfo).
struct WebhookInfo {
  std::string url;
  std::int64_t pending_update_count = 0;
  std::string last_error_message;
  std::int64_t last_error_date = 0;  // Unix seconds of last_error_message; 0 = none
};
std::optional<WebhookInfo> parse_webhook_info(std::string_view result);

/// Request bodies (JSON objects).
std::string send_message_body(std::string_view chat_id, std::string_view text);
std::string send_chat_action_body(std::string_view chat_id, std::string_view action);
std::string get_updates_body(std::int64_t offset, int timeout_s, int limit);
std::string set_webhook_body(std::string_view url, std::string_view secret_token);

}  // namespace botfactory::channel::telegram
