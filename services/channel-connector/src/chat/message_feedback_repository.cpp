#include "chat/message_feedback_repository.hpp"

#include "botfactory/pg/pool.hpp"
#include "chat/reply_question_sql.hpp"

namespace botfactory::channel {
namespace {

#define BF_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

// $1 tenant, $2 conversation, $3 seq. The conversation row decides the tenant; the message is
// found by messages_conversation_seq.
constexpr const char* kTarget =
    "SELECT c.bot_id::text, m.id::text, m.sender_kind, m.answered IS NOT NULL, "
    "m.deleted_at IS NOT NULL "
    "FROM chat.conversations c LEFT JOIN chat.messages m ON m.conversation_id = c.id AND m.seq = $3 "
    "WHERE c.id = $2 AND c.tenant_id = $1";

// $1 message, $2 tenant, $3 bot, $4 conversation, $5 seq, $6 rating, $7 comment.
constexpr const char* kUpsert =
    "INSERT INTO chat.message_feedback AS f "
    "(message_id, tenant_id, bot_id, conversation_id, seq, rating, comment) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id) DO UPDATE SET "
    "rating = EXCLUDED.rating, comment = EXCLUDED.comment, updated_at = clock_timestamp() "
    "RETURNING f.seq, f.rating, f.comment, " BF_US("f.updated_at");

constexpr const char* kClear = "DELETE FROM chat.message_feedback WHERE message_id = $1";

// $1 tenant, $2 conversation, $3 max rows: the newest replies' ratings, returned in seq order.
constexpr const char* kOfConversation =
    "SELECT seq, rating, comment, us FROM (SELECT seq, rating, comment, " BF_US("updated_at") " AS us "
    "FROM chat.message_feedback WHERE conversation_id = $2 AND tenant_id = $1 "
    "ORDER BY seq DESC LIMIT $3) f ORDER BY seq";

// $1 tenant, $2 bot, $3 days, $4 rating ('' = both), $5 limit. Starts from
// message_feedback_bot_recent; the reply by primary key. The question is the message the reply
// was written for: the message its client_id names (BF_REPLY_QUESTION_ID_SQL, "bot-reply-<id>" /
// "bot-ai-<id>"), so that message by primary key (same conversation, not
// deleted; "" when it was deleted). Only a reply without such a link (none is written today
// without one; older rows, imports) falls back to the visitor message just before it, a
// backwards scan of messages_conversation_seq — the fallback's scan is gated off otherwise.
constexpr const char* kRecent =
    "SELECT f.conversation_id::text, f.seq, f.rating, f.comment, " BF_US("f.updated_at") ", "
    "m.text, " BF_US("m.created_at") ", COALESCE(lq.text, pq.text, '') "
    "FROM chat.message_feedback f JOIN chat.messages m ON m.id = f.message_id "
    "CROSS JOIN LATERAL (SELECT " BF_REPLY_QUESTION_ID_SQL("m.client_id") " AS id) link "
    "LEFT JOIN chat.messages lq ON lq.id = link.id AND lq.conversation_id = f.conversation_id "
    "  AND lq.deleted_at IS NULL "
    "LEFT JOIN LATERAL (SELECT v.text FROM chat.messages v WHERE link.id IS NULL "
    "  AND v.conversation_id = f.conversation_id "
    "  AND v.seq < f.seq AND v.sender_kind = 'visitor' AND v.deleted_at IS NULL "
    "  ORDER BY v.seq DESC LIMIT 1) pq ON true "
    "WHERE f.tenant_id = $1 AND f.bot_id = $2 AND f.updated_at >= now() - $3::int * interval '1 day' "
    "AND ($4 = '' OR f.rating = $4) "
    "ORDER BY f.updated_at DESC, f.message_id LIMIT $5";

constexpr const char* kCounts =
    "SELECT count(*) FILTER (WHERE rating = 'up'), count(*) FILTER (WHERE rating = 'down') "
    "FROM chat.message_feedback WHERE tenant_id = $1 AND bot_id = $2 "
    "AND updated_at >= now() - $3::int * interval '1 day'";

// $1 tenant, $2 days, $3 bot or NULL. The same UTC-day window as GetAnalytics (chat_store.cpp).
constexpr const char* kDaily =
    "WITH since AS (SELECT (((now() AT TIME ZONE 'UTC')::date - ($2::int - 1))::timestamp "
    "  AT TIME ZONE 'UTC') AS at) "
    "SELECT to_char((f.updated_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, "
    "count(*) FILTER (WHERE f.rating = 'up'), count(*) FILTER (WHERE f.rating = 'down') "
    "FROM chat.message_feedback f, since WHERE f.tenant_id = $1 "
    "AND ($3::uuid IS NULL OR f.bot_id = $3::uuid) AND f.updated_at >= since.at "
    "GROUP BY 1 ORDER BY 1";

#undef BF_US

FeedbackRow row_at(const pg::Result& r, int i, int first) {
  return FeedbackRow{r.int64(i, first), r.str(i, first + 1), r.str(i, first + 2),
                     r.int64(i, first + 3)};
}

}  // namespace

MessageFeedbackRepository::MessageFeedbackRepository(pg::Pool& pool) : pool_(pool) {}

const char* MessageFeedbackRepository::recent_sql() { return kRecent; }

std::optional<FeedbackTarget> MessageFeedbackRepository::target(const std::string& tenant_id,
                                                                const std::string& conversation_id,
                                                                std::int64_t seq) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("feedback_target", kTarget,
                                     {tenant_id, conversation_id, std::to_string(seq)});
  if (r.rows() == 0) return std::nullopt;
  FeedbackTarget target;
  target.bot_id = r.str(0, 0);
  target.has_message = !r.is_null(0, 1);
  if (target.has_message) {
    target.message_id = r.str(0, 1);
    target.sender_kind = r.str(0, 2);
    target.has_answered = r.boolean(0, 3);
    target.deleted = r.boolean(0, 4);
  }
  return target;
}

FeedbackRow MessageFeedbackRepository::upsert(const std::string& tenant_id,
                                              const std::string& conversation_id, std::int64_t seq,
                                              const FeedbackTarget& target,
                                              const std::string& rating,
                                              const std::string& comment) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kUpsert, {target.message_id, tenant_id, target.bot_id, conversation_id,
                                      std::to_string(seq), rating, comment});
  return row_at(r, 0, 0);
}

void MessageFeedbackRepository::clear(const std::string& message_id) {
  auto connection = pool_.acquire();
  connection->exec(kClear, {message_id});
}

std::vector<FeedbackRow> MessageFeedbackRepository::of_conversation(
    const std::string& tenant_id, const std::string& conversation_id, int max_rows) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("feedback_of_conversation", kOfConversation,
                                     {tenant_id, conversation_id, std::to_string(max_rows)});
  std::vector<FeedbackRow> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(row_at(r, i, 0));
  return rows;
}

std::vector<RatedReplyRow> MessageFeedbackRepository::recent(const std::string& tenant_id,
                                                             const std::string& bot_id, int days,
                                                             const std::string& rating, int limit) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared(
      "feedback_recent", kRecent,
      {tenant_id, bot_id, std::to_string(days), rating, std::to_string(limit)});
  std::vector<RatedReplyRow> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    RatedReplyRow row;
    row.conversation_id = r.str(i, 0);
    row.feedback = row_at(r, i, 1);
    row.reply = r.str(i, 5);
    row.replied_at_us = r.int64(i, 6);
    row.question = r.str(i, 7);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::pair<std::int64_t, std::int64_t> MessageFeedbackRepository::counts(const std::string& tenant_id,
                                                                        const std::string& bot_id,
                                                                        int days) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kCounts, {tenant_id, bot_id, std::to_string(days)});
  return {r.int64(0, 0), r.int64(0, 1)};
}

std::vector<FeedbackDay> MessageFeedbackRepository::daily(const std::string& tenant_id,
                                                          const std::string& bot_id, int days) {
  auto connection = pool_.acquire();
  pg::Param bot = bot_id.empty() ? pg::Param() : pg::Param(bot_id);
  auto r = connection->exec(kDaily, {tenant_id, std::to_string(days), bot});
  std::vector<FeedbackDay> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    rows.push_back(FeedbackDay{r.str(i, 0), r.int64(i, 1), r.int64(i, 2)});
  }
  return rows;
}

}  // namespace botfactory::channel
