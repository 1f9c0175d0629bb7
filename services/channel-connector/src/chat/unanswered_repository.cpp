#include "chat/unanswered_repository.hpp"

#include "botfactory/pg/pool.hpp"
#include "chat/reply_question_sql.hpp"

namespace botfactory::channel {
namespace {

// $1 tenant, $2 bot, $3 days, $4 max rows. The conversation filter (updated_at in the window)
// is implied by the message filter (a message advances its conversation's updated_at) and lets
// the planner start from conversations_tenant_bot_activity. The question is the message the
// reply's client_id names ("bot-reply-<id>" or, for an /ai command, "bot-ai-<id>";
// BF_REPLY_QUESTION_ID_SQL, shared with the feedback list).
constexpr const char* kRecent =
    "WITH since AS (SELECT now() - $3::int * interval '1 day' AS at) "
    "SELECT q.text, (extract(epoch FROM q.created_at) * 1000000)::bigint, c.id::text, "
    "COALESCE(o.language, '') "
    "FROM since, chat.conversations c "
    "JOIN chat.messages m ON m.conversation_id = c.id AND m.answered = false "
    "JOIN chat.messages q ON q.id = " BF_REPLY_QUESTION_ID_SQL("m.client_id") " "
    "AND q.conversation_id = c.id AND q.sender_kind = 'visitor' AND q.deleted_at IS NULL "
    "LEFT JOIN chat.channel_outbox o ON o.message_id = m.id "
    "WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.updated_at >= since.at "
    "AND m.created_at >= since.at AND q.created_at >= since.at "
    "ORDER BY q.created_at DESC, q.id DESC LIMIT $4";

constexpr const char* kDismissals =
    "SELECT question_key, (extract(epoch FROM dismissed_at) * 1000000)::bigint "
    "FROM chat.unanswered_dismissals WHERE tenant_id = $1 AND bot_id = $2 "
    "AND dismissed_at >= now() - $3::int * interval '1 day'";

constexpr const char* kDismiss =
    "INSERT INTO chat.unanswered_dismissals AS d (tenant_id, bot_id, question_key) "
    "VALUES ($1, $2, $3) ON CONFLICT (tenant_id, bot_id, question_key) "
    "DO UPDATE SET dismissed_at = clock_timestamp() "
    "RETURNING (extract(epoch FROM d.dismissed_at) * 1000000)::bigint";

}  // namespace

UnansweredRepository::UnansweredRepository(pg::Pool& pool) : pool_(pool) {}

const char* UnansweredRepository::recent_sql() { return kRecent; }

std::vector<UnansweredAsking> UnansweredRepository::recent(const std::string& tenant_id,
                                                           const std::string& bot_id, int days,
                                                           int max_rows) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("unanswered_recent", kRecent,
                                     {tenant_id, bot_id, std::to_string(days),
                                      std::to_string(max_rows)});
  std::vector<UnansweredAsking> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    rows.push_back(UnansweredAsking{r.str(i, 0), r.int64(i, 1), r.str(i, 2), r.str(i, 3)});
  }
  return rows;
}

std::vector<UnansweredDismissal> UnansweredRepository::dismissals(const std::string& tenant_id,
                                                                  const std::string& bot_id,
                                                                  int days) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kDismissals, {tenant_id, bot_id, std::to_string(days)});
  std::vector<UnansweredDismissal> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(UnansweredDismissal{r.str(i, 0), r.int64(i, 1)});
  return rows;
}

std::int64_t UnansweredRepository::dismiss(const std::string& tenant_id, const std::string& bot_id,
                                           const std::string& key) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kDismiss, {tenant_id, bot_id, key});
  return r.int64(0, 0);
}

}  // namespace botfactory::channel
