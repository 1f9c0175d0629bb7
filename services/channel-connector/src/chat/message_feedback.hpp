#pragma once
// Answer feedback: visitors rate a bot reply "up" (helpful) or "down" (not helpful) with an
// optional one-line comment; the business reads the ratings per conversation and per bot.
// docs/api.md "Answer feedback".

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "chat/message_feedback_repository.hpp"

namespace botfactory::channel {

class ChatRateLimits;

/// Bounds of the feedback calls (docs/api.md "Answer feedback").
inline constexpr std::size_t kFeedbackMaxComment = 500;   // code points, after trimming
inline constexpr int kFeedbackDefaultDays = 30;
inline constexpr int kFeedbackMaxDays = 90;
inline constexpr int kFeedbackDefaultLimit = 50;
inline constexpr int kFeedbackMaxLimit = 200;
inline constexpr int kFeedbackConversationMax = 2000;      // ratings one conversation read returns
inline constexpr std::size_t kFeedbackReplyPreview = 300;  // code points of a listed reply

/// A request the caller must fix (bad id, seq, rating, comment or bound) → INVALID_ARGUMENT.
class FeedbackInvalid : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// An unknown conversation (or another tenant's) or seq → NOT_FOUND.
class FeedbackNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The message exists but cannot be rated (a visitor or operator message, a greeting, a notice,
/// a deleted message) → FAILED_PRECONDITION "not_rateable: …".
class FeedbackNotRateable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What list_for_bot() found.
struct FeedbackPage {
  std::vector<RatedReplyRow> replies;  // reply text cut to kFeedbackReplyPreview code points
  int days = kFeedbackDefaultDays;
  std::int64_t up = 0;
  std::int64_t down = 0;
};

/// Rates, clears and lists answer feedback. Thread-safe; `repository` (and `rates`, when given)
/// must outlive it. Storage failures propagate as pg::Error. Ratings are the strings "up" /
/// "down" ("" = clear / both). With `rates`, every write counts against the conversation's
/// FEEDBACK_WRITES_PER_MIN (nullptr = no limit).
class MessageFeedbackService {
 public:
  explicit MessageFeedbackService(MessageFeedbackRepository& repository,
                                  ChatRateLimits* rates = nullptr);

  /// Rates message `seq` (>= 1) of conversation `conversation_id` (UUID) of `tenant_id` (UUID)
  /// with `rating` "up" | "down", replacing an earlier rating, or clears it with "". `comment`:
  /// UTF-8, trimmed of ASCII whitespace, at most 500 code points, no control character (one
  /// line); ignored when clearing. Only a bot reply with answered set (a model answer or an
  /// "I don't know") that is not deleted can be rated. Returns the stored row (rating "" and
  /// updated_at 0 after a clear). Throws FeedbackInvalid, FeedbackNotFound, FeedbackNotRateable;
  /// a write over the conversation's FEEDBACK_WRITES_PER_MIN (counted only once the request is
  /// valid and the message rateable) throws rpc::StatusError RESOURCE_EXHAUSTED rate_limited
  /// with a retry hint, and nothing is stored.
  FeedbackRow set(const std::string& tenant_id, const std::string& conversation_id,
                  std::int64_t seq, const std::string& rating, std::string_view comment);

  /// A rating button pressed (Telegram, docs/channels.md "Ratings on Telegram"): message `seq`
  /// gets `rating` ("up" | "down", no comment) or loses its rating ("" = clear). Idempotent:
  /// when the message has that state already nothing is written and no budget is spent
  /// (`changed` false), so a redelivered press gives the same result. Otherwise the same checks,
  /// errors and FEEDBACK_WRITES_PER_MIN budget as set(). `row` is the state after the call
  /// (rating "" when none).
  struct Press {
    FeedbackRow row;
    bool changed = false;
  };
  Press press(const std::string& tenant_id, const std::string& conversation_id, std::int64_t seq,
              const std::string& rating);

  /// The ratings of one conversation, seq order (at most kFeedbackConversationMax, the newest
  /// replies'). FeedbackInvalid for bad ids, FeedbackNotFound for an unknown conversation.
  std::vector<FeedbackRow> of_conversation(const std::string& tenant_id,
                                           const std::string& conversation_id);

  /// A bot's rated replies of the last `days` days (1..90, 0 = 30), newest rating first, at
  /// most `limit` (1..200, 0 = 50), filtered by `rating` ("up" | "down" | "" = both), and the
  /// window's up / down counts (whatever the filter). FeedbackInvalid for bad ids or bounds.
  FeedbackPage list_for_bot(const std::string& tenant_id, const std::string& bot_id, int days,
                            const std::string& rating, int limit);

  /// Ratings per UTC day of the last `days` days (1..90, as GetAnalytics checks) by their last
  /// change; `bot_id` "" = all of the tenant's bots.
  std::vector<FeedbackDay> daily(const std::string& tenant_id, const std::string& bot_id, int days);

 private:
  /// The rateable message `seq` of the conversation, or FeedbackInvalid / FeedbackNotFound /
  /// FeedbackNotRateable.
  FeedbackTarget rateable_target(const std::string& tenant_id, const std::string& conversation_id,
                                 std::int64_t seq);
  /// Spends the budget, then stores `rating` ("" clears) on `target`.
  FeedbackRow write(const std::string& tenant_id, const std::string& conversation_id,
                    std::int64_t seq, const FeedbackTarget& target, const std::string& rating,
                    const std::string& comment);

  MessageFeedbackRepository& repository_;
  ChatRateLimits* rates_;
};

}  // namespace botfactory::channel
