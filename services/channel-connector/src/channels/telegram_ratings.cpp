#include "channels/telegram_ratings.hpp"

#include "botfactory/chatwire/feedback_event.hpp"
#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/rpc/status.hpp"
#include "channels/channel_credentials.hpp"
#include "channels/telegram_client.hpp"
#include "chat/feedback_proto.hpp"
#include "chat/message_feedback.hpp"
#include "pipeline/bot_phrases.hpp"

namespace botfactory::channel {

TelegramRatings::TelegramRatings(ChannelRepository& repository, MessageFeedbackService& feedback,
                                 telegram::BotApiClient& telegram,
                                 std::shared_ptr<const crypto::SecretBox> box,
                                 redis::Publisher* publisher)
    : repository_(repository),
      feedback_(feedback),
      telegram_(telegram),
      box_(std::move(box)),
      publisher_(publisher),
      log_(common::logger("ratings")) {}

RatingOutcome TelegramRatings::handle(const ChannelRecord& channel, const telegram::InboundText& update) {
  const auto& callback = update.callback;
  auto press = telegram::parse_rating_data(callback.data);
  std::optional<RatingChat> chat;
  if (press && callback.chat_id != 0 && callback.chat_type == "private") {
    chat = repository_.rating_chat(channel.id, std::to_string(callback.chat_id), press->seq);
  }
  const std::string language = chat ? chat->language : "";
  if (!chat) {
    reply(channel, callback, rating_unavailable_text(language), nullptr);
    return RatingOutcome::kUnavailable;
  }
  // The button says what to do (set up / set down / clear), never "the opposite of now": the
  // same press handled twice (its inbox row's "done" lost) leaves the same state.
  const char* rating = press->action == telegram::RatingAction::kUp     ? "up"
                       : press->action == telegram::RatingAction::kDown ? "down"
                                                                        : "";
  MessageFeedbackService::Press done;
  try {
    done = feedback_.press(channel.tenant_id, chat->conversation_id, press->seq, rating);
  } catch (const FeedbackInvalid&) {
    reply(channel, callback, rating_unavailable_text(language), nullptr);
    return RatingOutcome::kUnavailable;
  } catch (const FeedbackNotFound&) {
    reply(channel, callback, rating_unavailable_text(language), nullptr);
    return RatingOutcome::kUnavailable;
  } catch (const FeedbackNotRateable&) {
    reply(channel, callback, rating_unavailable_text(language), nullptr);
    return RatingOutcome::kUnavailable;
  } catch (const rpc::StatusError& e) {
    if (e.code() != grpc::StatusCode::RESOURCE_EXHAUSTED) throw;
    reply(channel, callback, rating_too_many_text(language), nullptr);
    return RatingOutcome::kTooMany;
  }
  const auto& row = done.row;
  if (done.changed && publisher_ != nullptr &&
      publisher_->publish(chatwire::conversation_channel(chat->conversation_id),
                          chatwire::encode_message_feedback(chat->conversation_id, feedback_to_proto(row))) < 0) {
    log_->warn("conversation {}: publishing message.feedback failed", chat->conversation_id);
  }
  telegram::RatingButtons buttons{press->seq, rating_up_label(language), rating_down_label(language),
                                  row.rating};
  const bool cleared = row.rating.empty();
  reply(channel, callback, cleared ? rating_cleared_text(language) : rating_thanks_text(language),
        callback.message_id != 0 ? &buttons : nullptr);
  return cleared ? RatingOutcome::kCleared : RatingOutcome::kRated;
}

void TelegramRatings::reply(const ChannelRecord& channel, const telegram::CallbackQuery& callback,
                            const std::string& text, const telegram::RatingButtons* buttons) {
  if (!box_) return;
  const telegram::CallTimeouts timeouts{std::chrono::milliseconds(3000), std::chrono::milliseconds(5000)};
  std::string token;
  try {
    token = open_credentials(*box_, channel.credentials).token;
  } catch (const std::exception& e) {
    log_->warn("channel {}: rating not answered, credentials do not open", channel.id);
    return;
  }
  auto answered = telegram_.call(token, "answerCallbackQuery",
                                 telegram::answer_callback_query_body(callback.id, text), timeouts);
  if (answered.kind != telegram::CallResult::Kind::kOk) {
    log_->info("channel {}: answerCallbackQuery failed: {}", channel.id, telegram::describe(answered));
  }
  if (buttons == nullptr) return;
  auto edited = telegram_.call(
      token, "editMessageReplyMarkup",
      telegram::edit_message_reply_markup_body(callback.chat_id, callback.message_id, *buttons), timeouts);
  if (edited.kind != telegram::CallResult::Kind::kOk) {
    // "message is not modified" (the same markup) is a 400 too: harmless.
    log_->debug("channel {}: editMessageReplyMarkup failed: {}", channel.id, telegram::describe(edited));
  }
}

}  // namespace botfactory::channel
