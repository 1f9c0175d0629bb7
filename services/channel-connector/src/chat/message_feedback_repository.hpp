#pragma once
// PostgreSQL access for answer feedback: chat.message_feedback (migration V120), one visitor
// rating per bot reply, and the reads of the inbox, the widget and the dashboard.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// The message a rating would be attached to. Times are Unix epoch microseconds (UTC).
struct FeedbackTarget {
  std::string bot_id;      // of the conversation
  bool has_message = false;  // false: the conversation exists but has no message with that seq
  std::string message_id;
  std::string sender_kind;   // "visitor" | "bot" | "operator"
  bool has_answered = false; // chat.messages.answered IS NOT NULL: a model reply
  bool deleted = false;
};

/// One stored rating ("up" | "down").
struct FeedbackRow {
  std::int64_t seq = 0;
  std::string rating;
  std::string comment;
  std::int64_t updated_at_us = 0;
};

/// One rated reply of a bot with its question (ListBotFeedback).
struct RatedReplyRow {
  std::string conversation_id;
  FeedbackRow feedback;
  std::string reply;              // the reply's full text
  std::int64_t replied_at_us = 0;
  std::string question;           // the message the reply answers ("" when deleted or none)
  std::string channel;            // tgrate: the conversation's ("web", "telegram", …)
};

/// Ratings of one UTC day (analytics).
struct FeedbackDay {
  std::string date;  // YYYY-MM-DD
  std::int64_t up = 0;
  std::int64_t down = 0;
};

/// Reads and writes chat.message_feedback. Thread-safe (pooled connections); errors are thrown
/// as pg::Error. Every id argument must already be a valid UUID (the caller checks).
class MessageFeedbackRepository {
 public:
  explicit MessageFeedbackRepository(pg::Pool& pool);

  /// The conversation `conversation_id` of `tenant_id` and its message `seq`; nullopt when the
  /// conversation is unknown or another tenant's.
  std::optional<FeedbackTarget> target(const std::string& tenant_id,
                                       const std::string& conversation_id, std::int64_t seq);

  /// Inserts or replaces the rating of `target`'s message (last write wins); returns the row.
  FeedbackRow upsert(const std::string& tenant_id, const std::string& conversation_id,
                     std::int64_t seq, const FeedbackTarget& target, const std::string& rating,
                     const std::string& comment);

  /// The rating of message `message_id`: "up", "down" or "" (none).
  std::string rating_of(const std::string& message_id);

  /// Deletes the rating of message `message_id` (no-op when there is none).
  void clear(const std::string& message_id);

  /// The ratings of one conversation of `tenant_id`, seq order, the newest `max_rows` replies'.
  std::vector<FeedbackRow> of_conversation(const std::string& tenant_id,
                                           const std::string& conversation_id, int max_rows);

  /// The bot's ratings changed in the last `days` days (now − days × 24 h, database clock),
  /// newest first, at most `limit`; `rating` "up" / "down" filters, "" keeps both. Each row
  /// carries the reply and its question: the message named by the reply's client_id
  /// "bot-reply-<id>" / "bot-ai-<id>" (bot_pipeline.cpp), or, for a reply without that link,
  /// the visitor message just before it (by seq).
  std::vector<RatedReplyRow> recent(const std::string& tenant_id, const std::string& bot_id,
                                    int days, const std::string& rating, int limit);

  /// {up, down}: the bot's ratings changed in the last `days` days.
  std::pair<std::int64_t, std::int64_t> counts(const std::string& tenant_id,
                                               const std::string& bot_id, int days);

  /// Ratings per UTC day of the last `days` days (today included) by the day of their last
  /// change; days without a rating are left out. `bot_id` "" = every bot of the tenant.
  std::vector<FeedbackDay> daily(const std::string& tenant_id, const std::string& bot_id, int days);

  /// The SQL of recent() ($1 tenant, $2 bot, $3 days, $4 rating, $5 limit), for plan tests.
  static const char* recent_sql();

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
