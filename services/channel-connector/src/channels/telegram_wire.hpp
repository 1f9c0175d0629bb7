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

/// What BotFactory uses of a CallbackQuery (https://core.telegram.org/bots/api#callbackquery):
/// a press of an inline keyboard button under one of the bot's messages.
struct CallbackQuery {
  std::string id;               // for answerCallbackQuery; at most kMaxCallbackIdBytes
  std::int64_t from_id = 0;     // 0 when absent
  std::int64_t chat_id = 0;     // message.chat.id; 0 when the message is absent (inline mode)
  std::string chat_type;        // message.chat.type
  std::int64_t message_id = 0;  // message.message_id (editMessageReplyMarkup); 0 when absent
  std::string data;             // callback_data; "" when absent or over kMaxCallbackDataBytes
};

/// callback_data is 1-64 bytes (https://core.telegram.org/bots/api#inlinekeyboardbutton).
inline constexpr std::size_t kMaxCallbackDataBytes = 64;
/// Callback query ids are short opaque strings; anything longer is not Telegram's.
inline constexpr std::size_t kMaxCallbackIdBytes = 128;

/// What BotFactory uses of one Update (https://core.telegram.org/bots/api#update): a text
/// message of a private chat (message or edited_message is not used: `message` only), or a
/// callback_query (a rating button pressed, docs/channels.md "Ratings on Telegram").
struct InboundText {
  std::int64_t update_id = 0;
  bool has_message = false;  // false: an update kind BotFactory ignores (stored, marked done)
  std::int64_t chat_id = 0;
  std::string chat_type;     // "private", "group", …
  std::int64_t from_id = 0;  // 0 when absent (channel posts)
  std::string display_name;  // "First Last", else "@username", else "Telegram user <id>"
  std::string username;
  std::string text;          // "" for non-text messages (stickers, photos …)
  bool has_callback = false;  // a callback_query with a string id (has_message is false then)
  CallbackQuery callback;
};

/// Parses one Update; std::nullopt when `update` is not an object with an integer update_id.
std::optional<InboundText> parse_update(std::string_view update);

/// The inbox's chat key of an update (chat.channel_inbox.chat_key: a chat's rows are handled
/// one at a time, in order): the chat id for a message, "cb:<chat id>" for a callback query (its
/// own lane: a rating is answered at once, not after the reply the chat waits for), "" for
/// anything else (the row is its own group).
std::string chat_key(const InboundText& update);

/// What a rating button does (docs/channels.md "Ratings on Telegram"): every button says the
/// action it performs given the state the visitor sees, so handling the same press twice (a
/// redelivery) gives the same result — a press is idempotent, never a toggle.
enum class RatingAction {
  kUp,     // "u": set 👍 (the button is not the chosen one, or the keyboard sent with the reply)
  kDown,   // "d": set 👎
  kClear,  // "c": the chosen (✓) button: remove the rating
};

/// A press of a rating button: callback_data exactly "fb:<seq>:u" (set up), "fb:<seq>:d" (set
/// down) or "fb:<seq>:c" (clear), seq a decimal 1..10^18-1 (1-18 digits, no leading zero).
/// Only identifies the message within the chat's conversation: tenant and conversation come
/// from the binding and the chat, never from here.
struct RatingPress {
  std::int64_t seq = 0;
  RatingAction action = RatingAction::kUp;
};
/// Parses rating callback_data; std::nullopt for anything else (other buttons, forged data).
std::optional<RatingPress> parse_rating_data(std::string_view data);
/// The callback_data of a rating button of message `seq` (>= 1): "fb:<seq>:u|d|c" (<= 23 bytes).
std::string rating_data(std::int64_t seq, RatingAction action);

/// The two rating buttons under a reply (an InlineKeyboardMarkup of one row,
/// https://core.telegram.org/bots/api#inlinekeyboardmarkup). `selected` "up" / "down" marks
/// that button's label with " ✓" and makes its data a clear ("fb:<seq>:c"); the other button
/// (both when "" = none) sets its rating ("fb:<seq>:u" / "fb:<seq>:d").
struct RatingButtons {
  std::int64_t seq = 0;
  std::string up_label;
  std::string down_label;
  std::string selected;
};

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
  /// tgrate: allowed_updates as registered (at most 32 kept); absent = every update type but
  /// chat_member (has_allowed_updates false).
  bool has_allowed_updates = false;
  std::vector<std::string> allowed_updates;
};
std::optional<WebhookInfo> parse_webhook_info(std::string_view result);

/// Request bodies (JSON objects). sendMessage carries `buttons` as reply_markup when given.
std::string send_message_body(std::string_view chat_id, std::string_view text,
                              const RatingButtons* buttons = nullptr);
/// answerCallbackQuery (https://core.telegram.org/bots/api#answercallbackquery): `text` shown
/// as a short notification (0-200 characters; cut to 200 code points).
std::string answer_callback_query_body(std::string_view callback_query_id, std::string_view text);
/// editMessageReplyMarkup (https://core.telegram.org/bots/api#editmessagereplymarkup) of
/// message `message_id` in `chat_id`: the buttons with the chosen one marked.
std::string edit_message_reply_markup_body(std::int64_t chat_id, std::int64_t message_id,
                                           const RatingButtons& buttons);
std::string send_chat_action_body(std::string_view chat_id, std::string_view action);
/// getUpdates and setWebhook ask for allowed_updates ["message", "callback_query"].
std::string get_updates_body(std::int64_t offset, int timeout_s, int limit);
std::string set_webhook_body(std::string_view url, std::string_view secret_token);

}  // namespace botfactory::channel::telegram
