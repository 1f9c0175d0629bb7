#pragma once
// PostgreSQL access for unanswered questions: the visitor questions whose bot reply said
// "I don't know" (chat.messages.answered = false), and chat.unanswered_dismissals.

#include <cstdint>
#include <string>
#include <vector>

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// One visitor question a bot could not answer. Times are Unix epoch microseconds (UTC).
struct UnansweredAsking {
  std::string question;         // the visitor message's text (UTF-8, as stored)
  std::int64_t asked_at_us = 0; // the visitor message's created_at
  std::string conversation_id;
  std::string language;         // the reply's channel outbox language ("en", "ru", "uz") or ""
};

/// A dismissed question key of one bot.
struct UnansweredDismissal {
  std::string key;
  std::int64_t dismissed_at_us = 0;
};

/// Reads unanswered askings and reads / writes dismissals (migrations V110, V111). Thread-safe
/// (pooled connections); errors are thrown as pg::Error.
///
/// Which question a reply answers: the bot pipeline posts its reply to visitor message M with
/// client_id "bot-reply-<M.id>", or "bot-ai-<M.id>" for an /ai command (pipeline/bot_pipeline.cpp;
/// the rule: chat/reply_question_sql.hpp), so the question is exactly that message (same
/// conversation, sender visitor, not deleted; an /ai question as stored, "/ai" included).
/// Replies of any other shape (none carry answered = false today) are skipped.
class UnansweredRepository {
 public:
  explicit UnansweredRepository(pg::Pool& pool);

  /// The askings of `bot_id` of `tenant_id` (UUIDs) asked in the last `days` days (now − days ×
  /// 24 h, database clock), newest first, at most `max_rows`. Walks the bot's conversations
  /// active in the window (index conversations_tenant_bot_activity) and, per conversation, its
  /// unanswered replies (partial index messages_unanswered), then the question by primary key.
  std::vector<UnansweredAsking> recent(const std::string& tenant_id, const std::string& bot_id,
                                       int days, int max_rows);

  /// The bot's keys dismissed within the last `days` days (older dismissals cannot hide an
  /// asking of the window).
  std::vector<UnansweredDismissal> dismissals(const std::string& tenant_id,
                                              const std::string& bot_id, int days);

  /// Records (or moves forward) the dismissal of `key`; returns its dismissed_at (µs).
  std::int64_t dismiss(const std::string& tenant_id, const std::string& bot_id,
                       const std::string& key);

  /// The SQL of recent() ($1 tenant, $2 bot, $3 days, $4 max rows), for EXPLAIN in tests.
  static const char* recent_sql();

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
