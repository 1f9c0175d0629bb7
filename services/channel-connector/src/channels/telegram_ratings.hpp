#pragma once
// tgrate: answer ratings on Telegram (docs/channels.md "Ratings on Telegram"). A visitor presses
// 👍 / 👎 under a bot reply (the outbox sent it with an inline keyboard, callback_data
// "fb:<seq>:u|d"); Telegram delivers a callback_query update (webhook or getUpdates) that the
// inbox hands here. Each button's data is the action it performs (set up, set down, or "c" =
// clear on the chosen ✓ button), so a press handled twice gives the same result. The rating is
// stored through MessageFeedbackService::press — the domain class of the REST path — then the
// press is answered (answerCallbackQuery, always) and the buttons redrawn with the chosen one
// marked and made a clear (editMessageReplyMarkup).

#include <memory>
#include <string>

#include "channels/channel_repository.hpp"
#include "channels/telegram_wire.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::redis {
class Publisher;
}

namespace botfactory::channel {

class MessageFeedbackService;
namespace telegram {
class BotApiClient;
}

/// What handle() did with a press (tests, logs).
enum class RatingOutcome {
  kRated,        // "up" / "down" stored (or already so: a repeated press changes nothing)
  kCleared,      // the chosen (✓, "c") button: no rating any more
  kTooMany,      // over FEEDBACK_WRITES_PER_MIN: nothing changed
  kUnavailable,  // not a rating button, no conversation, unknown / foreign / unrateable seq
};

/// Thread-safe; every reference must outlive it.
class TelegramRatings {
 public:
  /// With `publisher`, a stored change is also published as the `message.feedback` frame on the
  /// conversation's channel (chatwire/feedback_event.hpp), as the gateway does for a widget
  /// rating, so an open inbox shows it live.
  TelegramRatings(ChannelRepository& repository, MessageFeedbackService& feedback,
                  telegram::BotApiClient& telegram, std::shared_ptr<const crypto::SecretBox> box,
                  redis::Publisher* publisher = nullptr);

  /// Handles callback query `update.callback` of Telegram `channel`. The conversation is the one
  /// of the press's chat on this channel (private chats only); callback_data gives only the seq,
  /// which must be a rateable message of that conversation. Idempotent: the data says set up,
  /// set down or clear; a press that finds that state already writes nothing (no budget, no
  /// live frame) and is answered and redrawn as the first one was. Telegram calls (3 s connect, 5 s
  /// total) are best effort: a failure is logged without the token. Throws pg::Error (and
  /// rpc::StatusError UNAVAILABLE when the rate counter is down) for the caller to retry;
  /// never for hostile input.
  RatingOutcome handle(const ChannelRecord& channel, const telegram::InboundText& update);

 private:
  /// answerCallbackQuery `text`, then (with `buttons`) editMessageReplyMarkup.
  void reply(const ChannelRecord& channel, const telegram::CallbackQuery& callback,
             const std::string& text, const telegram::RatingButtons* buttons);

  ChannelRepository& repository_;
  MessageFeedbackService& feedback_;
  telegram::BotApiClient& telegram_;
  std::shared_ptr<const crypto::SecretBox> box_;
  redis::Publisher* publisher_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace botfactory::channel
