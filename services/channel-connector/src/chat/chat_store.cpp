#include "chat/chat_store.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "botfactory/chatwire/inbox_event.hpp"
#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/pg/pipeline.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "chat/message_rows.hpp"

namespace botfactory::channel {
namespace {

// Column lists shared by the queries below; the readers depend on their order. BF_MESSAGE_COLUMNS
// is the first kMessageRowBaseColumns of message_rows.hpp's BF_MESSAGE_ROW_COLUMNS (unaliased).
#define BF_MESSAGE_COLUMNS                                                                 \
  "id, conversation_id, seq, sender_kind, sender_id, sender_name, text, client_id, "      \
  "(extract(epoch from created_at) * 1000000)::bigint, sources::text"
#define BF_CONVERSATION_COLUMNS                                                           \
  "id, tenant_id, bot_id, channel, visitor_id, visitor_name, last_seq, "                 \
  "(extract(epoch from created_at) * 1000000)::bigint, "                                 \
  "(extract(epoch from updated_at) * 1000000)::bigint, handler, waiting_for_human"

// One message appended in ONE statement (docs/benchmarks.md, "Chat ingest"): the stored row with
// the same client id is answered (`dup`); else the conversation row is advanced (last_seq + 1,
// under its row lock: concurrent appends to one conversation, from any replica, queue on it and
// EvalPlanQual recomputes last_seq + 1 on the newest row version, so seq stays gap-free), the
// message inserted with that seq and, for a channel conversation, queued in the outbox. No row =
// the conversation is unknown or of another tenant. A concurrent transaction that stored the
// same client id after this statement's snapshot makes the INSERT fail with 23505 on
// messages_conversation_client_id: the caller runs the statement again (it then answers dup).
// $1 conversation, $2 client_id, $3 sender kind, $4 sender id, $5 sender name, $6 text,
// $7 sources (jsonb text or NULL), $8 answered (or NULL), $9 tenant (uuid or NULL = trusted),
// $10 deliver to the channel (boolean), $11 language, $12/$13 rooms: the sender's member kind
// and id, which must be a member of the room (NULL = no check; see kLockForMemberAppend),
// $14/$15 e2ee rooms (harden): the envelope's key epoch and key id, which must be the room's
// current ones (NULL = no check; under the same lock).
// Columns: BF_MESSAGE_COLUMNS (0..9; for a new message only id, conversation_id, seq and
// created_at: the rest is what was sent), BF_CONVERSATION_COLUMNS (10..20, after the append),
// duplicate (21), outbound (22).
constexpr const char* kAppendMessage =
    "WITH dup (d_id, d_conversation_id, d_seq, d_kind, d_sender_id, d_sender_name, d_text, "
    "d_client_id, d_created_us, d_sources) AS ("
    " SELECT " BF_MESSAGE_COLUMNS " FROM chat.messages"
    " WHERE conversation_id = $1::uuid AND client_id = $2::text), "
    "conv (channel_id, id, tenant_id, bot_id, channel, visitor_id, visitor_name, last_seq, "
    "created_us, updated_us, handler, waiting_for_human) AS ("
    " UPDATE chat.conversations SET last_seq = last_seq + 1, updated_at = now()"
    " WHERE id = $1::uuid AND ($9::uuid IS NULL OR tenant_id = $9::uuid)"
    " AND NOT EXISTS (SELECT 1 FROM dup)"
    " AND " BF_ROOM_MEMBER_NOW("$1", "$12", "$13")
    " AND " BF_ROOM_KEY_CURRENT("$1", "$14", "$15")
    " RETURNING channel_id, " BF_CONVERSATION_COLUMNS "), "
    "ins AS ("
    " INSERT INTO chat.messages (conversation_id, seq, sender_kind, sender_id, sender_name, text,"
    " client_id, sources, answered)"
    " SELECT conv.id, conv.last_seq, $3::text, $4::text, $5::text, $6::text, $2::text,"
    " $7::jsonb, $8::boolean FROM conv"
    " RETURNING id, seq, created_at), "
    "outbox AS ("
    " INSERT INTO chat.channel_outbox (channel_id, conversation_id, message_id, language)"
    " SELECT conv.channel_id, conv.id, ins.id, $11::text FROM conv, ins"
    " WHERE $10::boolean AND conv.channel_id IS NOT NULL"
    " ON CONFLICT (message_id) DO NOTHING RETURNING message_id) "
    "SELECT ins.id, conv.id, ins.seq, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,"
    " (extract(epoch from ins.created_at) * 1000000)::bigint, NULL::text,"
    " conv.id, conv.tenant_id, conv.bot_id, conv.channel, conv.visitor_id, conv.visitor_name,"
    " conv.last_seq, conv.created_us, conv.updated_us, conv.handler, conv.waiting_for_human,"
    " false, EXISTS (SELECT 1 FROM outbox)"
    " FROM conv CROSS JOIN ins "
    "UNION ALL "
    "SELECT dup.*, " BF_CONVERSATION_COLUMNS ", true, false"
    " FROM dup JOIN chat.conversations ON id = d_conversation_id"
    " AND ($9::uuid IS NULL OR tenant_id = $9::uuid)";
// roomcore: sent before kAppendMessage for a room post in the same transaction. A statement's
// snapshot is taken when it starts; with the row lock already held, kAppendMessage's
// membership check sees every member change committed before (member changes lock the row
// first: room_repository), so a removed member's post racing its removal is refused instead
// of committing after the member.removed event.
constexpr const char* kLockForMemberAppend =
    "SELECT 1 FROM chat.conversations WHERE id = $1::uuid FOR UPDATE";
constexpr int kMessageColumns = 10;  // BF_MESSAGE_COLUMNS
constexpr int kAppendDuplicateColumn = 21;
constexpr int kAppendOutboundColumn = 22;
// A message by client id in a conversation of the tenant (the rate limit's duplicate answer).
constexpr const char* kFindByClientId =
    "SELECT " BF_MESSAGE_COLUMNS " FROM chat.messages m WHERE conversation_id = $1 AND client_id = $2"
    " AND EXISTS (SELECT 1 FROM chat.conversations c WHERE c.id = m.conversation_id"
    " AND ($3::uuid IS NULL OR c.tenant_id = $3::uuid))";
constexpr const char* kInsertMessage =
    "INSERT INTO chat.messages (conversation_id, seq, sender_kind, sender_id, sender_name, text, "
    "client_id, sources, answered) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::boolean) "
    "RETURNING " BF_MESSAGE_COLUMNS;
constexpr const char* kInsertConversation =
    "INSERT INTO chat.conversations (tenant_id, bot_id, channel, visitor_id, visitor_name, "
    "last_seq) VALUES ($1, $2, $3, COALESCE(NULLIF($4, ''), gen_random_uuid()::text), $5, $6) "
    "RETURNING " BF_CONVERSATION_COLUMNS;
constexpr const char* kGetConversation =
    "SELECT " BF_CONVERSATION_COLUMNS
    " FROM chat.conversations WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid)";
constexpr const char* kMessagesSince =
    "SELECT " BF_MESSAGE_COLUMNS
    " FROM chat.messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";
// SetConversationState: the row locked, then the new state written (only when it changes).
constexpr const char* kLockState =
    "SELECT handler, waiting_for_human FROM chat.conversations WHERE id = $1 AND tenant_id = $2 "
    "FOR UPDATE";
constexpr const char* kWriteState =
    "UPDATE chat.conversations SET handler = $2, waiting_for_human = $3 WHERE id = $1";
// Unread: messages after the user's read_seq that no operator sent, counted up to kUnreadCap.
#define BF_UNREAD_COUNT(conversation, after)                                                \
  "(SELECT count(*) FROM (SELECT 1 FROM chat.messages m WHERE m.conversation_id = " conversation \
  " AND m.seq > " after " AND m.sender_kind <> 'operator' LIMIT 1000) unread)"
// The last message of conversation `c` (one probe of messages_conversation_seq, backwards from
// last_seq: an edit / delete event of message_edits also takes a seq), 4 columns.
#define BF_LAST_MESSAGE_COLUMNS                                                             \
  "lm.lm_seq, lm.lm_kind, left(lm.lm_text, 120), "                                        \
  "(extract(epoch from lm.lm_at) * 1000000)::bigint"
#define BF_LAST_MESSAGE_JOIN                                                                \
  " LEFT JOIN LATERAL (SELECT m.seq AS lm_seq, m.sender_kind AS lm_kind, m.text AS lm_text, " \
  "m.created_at AS lm_at FROM chat.messages m "                                             \
  "WHERE m.conversation_id = c.id AND m.seq <= c.last_seq ORDER BY m.seq DESC LIMIT 1) lm ON true"
// ListConversations: filters fold away when NULL (libpq sends unnamed statements, planned with
// the values), so each shape is one range scan of a V013 index in (updated_at, id) DESC order.
// $1 tenant, $2 bot, $3 channel, $4 handler, $5 waiting only, $6 limit, $7 user (NULL = no
// read position), $8/$9 keyset (updated_at micros, id; NULL = first page).
constexpr const char* kListConversations =
    "SELECT " BF_CONVERSATION_COLUMNS ", " BF_LAST_MESSAGE_COLUMNS ", COALESCE(r.read_seq, 0), "
    "CASE WHEN $7::text IS NULL THEN 0 ELSE " BF_UNREAD_COUNT("c.id", "COALESCE(r.read_seq, 0)")
    " END FROM chat.conversations c" BF_LAST_MESSAGE_JOIN
    " LEFT JOIN chat.conversation_reads r ON $7::text IS NOT NULL AND r.conversation_id = c.id "
    "AND r.user_id = $7::text "
    "WHERE c.tenant_id = $1 AND ($2::uuid IS NULL OR c.bot_id = $2::uuid) AND c.channel <> 'room' "
    "AND ($3::text IS NULL OR c.channel = $3::text) AND ($4::text IS NULL OR c.handler = $4::text) "
    "AND ($5::boolean IS NULL OR c.waiting_for_human) "
    "AND ($9::uuid IS NULL OR (c.updated_at, c.id) < "
    "(timestamptz 'epoch' + $8::bigint * interval '1 microsecond', $9::uuid)) "
    "ORDER BY c.updated_at DESC, c.id DESC LIMIT $6";
// A conversation with its last message (SetConversationState's answer and inbox event).
constexpr const char* kGetConversationWithLast =
    "SELECT " BF_CONVERSATION_COLUMNS ", " BF_LAST_MESSAGE_COLUMNS " FROM chat.conversations c"
    BF_LAST_MESSAGE_JOIN " WHERE c.id = $1 AND c.tenant_id = $2";
#undef BF_LAST_MESSAGE_COLUMNS
#undef BF_LAST_MESSAGE_JOIN
// Inserts or advances the read position, clamped to last_seq; no row when the conversation is
// not the tenant's.
constexpr const char* kMarkRead =
    "INSERT INTO chat.conversation_reads AS r (conversation_id, user_id, read_seq) "
    "SELECT id, $3, LEAST($4::bigint, last_seq) FROM chat.conversations "
    "WHERE id = $1 AND tenant_id = $2 "
    "ON CONFLICT (conversation_id, user_id) DO UPDATE SET "
    "read_seq = GREATEST(r.read_seq, EXCLUDED.read_seq), read_at = now() "
    "RETURNING r.read_seq";
constexpr const char* kUnread = "SELECT " BF_UNREAD_COUNT("$1", "$2");
#undef BF_UNREAD_COUNT
// Analytics: one row per UTC day of the window, oldest first. Messages are found through the
// tenant's conversations active in the window (a message advances its conversation's
// updated_at, so older conversations cannot hold messages of the window).
constexpr const char* kAnalytics =
    "WITH bounds AS (SELECT (now() AT TIME ZONE 'UTC')::date - ($2::int - 1) AS first_day), "
    "days AS (SELECT (first_day + n)::date AS day FROM bounds, generate_series(0, $2::int - 1) n), "
    "since AS (SELECT first_day::timestamp AT TIME ZONE 'UTC' AS at FROM bounds), "
    "convs AS (SELECT c.id, c.created_at FROM chat.conversations c, since WHERE c.tenant_id = $1 "
    "  AND ($3::uuid IS NULL OR c.bot_id = $3::uuid) AND c.updated_at >= since.at), "
    "msgs AS (SELECT (m.created_at AT TIME ZONE 'UTC')::date AS day, "
    "  count(*) FILTER (WHERE m.sender_kind = 'visitor') AS visitor, "
    "  count(*) FILTER (WHERE m.sender_kind = 'bot') AS bot, "
    "  count(*) FILTER (WHERE m.sender_kind = 'operator') AS operator, "
    "  count(*) FILTER (WHERE m.answered) AS answered, "
    "  count(*) FILTER (WHERE m.answered = false) AS unanswered "
    "  FROM chat.messages m JOIN convs ON convs.id = m.conversation_id, since "
    "  WHERE m.created_at >= since.at GROUP BY 1), "
    "started AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM convs, "
    "  since WHERE created_at >= since.at GROUP BY 1) "
    "SELECT to_char(d.day, 'YYYY-MM-DD'), COALESCE(m.visitor, 0), COALESCE(m.bot, 0), "
    "COALESCE(m.operator, 0), COALESCE(s.n, 0), COALESCE(m.answered, 0), COALESCE(m.unanswered, 0) "
    "FROM days d LEFT JOIN msgs m ON m.day = d.day LEFT JOIN started s ON s.day = d.day "
    "ORDER BY d.day";
constexpr const char* kHandler = "SELECT handler FROM chat.conversations WHERE id = $1";
constexpr const char* kConversationExists = "SELECT 1 FROM chat.conversations WHERE id = $1";
constexpr const char* kRecentTurns =
    "SELECT sender_kind, text FROM chat.messages WHERE conversation_id = $1 AND seq < $2 "
    "ORDER BY seq DESC LIMIT $3";
// Served by messages_conversation_seq's index: a scan back from before_seq, filtered by sender.
constexpr const char* kParticipantTurns =
    "SELECT sender_kind, text FROM chat.messages WHERE conversation_id = $1 AND seq < $2 "
    "AND sender_kind = $3 AND sender_id = $4 ORDER BY seq DESC LIMIT $5";

#undef BF_MESSAGE_COLUMNS
#undef BF_CONVERSATION_COLUMNS


pg::Param optional_param(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

/// chat.messages.sources of `sources`: a JSON array, NULL when empty.
pg::Param sources_param(const std::vector<ReplySource>& sources) {
  if (sources.empty()) return std::nullopt;
  boost::json::array array;
  array.reserve(sources.size());
  for (const auto& s : sources) {
    array.emplace_back(boost::json::object{{"document_id", s.document_id},
                                           {"document_title", s.document_title},
                                           {"chunk_id", s.chunk_id}});
  }
  return boost::json::serialize(array);
}

/// BF_MESSAGE_COLUMNS (id .. sources) at row `row` (message_rows.hpp, the shared mapping).
chat::v1::Message read_message(const pg::Result& r, int row) {
  return read_message_row(r, row, 0, kMessageRowBaseColumns);
}

/// The BF_CONVERSATION_COLUMNS starting at column `first`.
chat::v1::Conversation read_conversation(const pg::Result& r, int row, int first = 0) {
  chat::v1::Conversation c;
  c.set_id(r.str(row, first + 0));
  c.set_tenant_id(r.str(row, first + 1));
  c.set_bot_id(r.str(row, first + 2));
  c.set_channel(r.str(row, first + 3));
  auto* visitor = c.mutable_visitor();
  visitor->set_kind(common::v1::SENDER_KIND_VISITOR);
  visitor->set_id(r.str(row, first + 4));
  visitor->set_name(r.str(row, first + 5));
  c.set_last_seq(r.int64(row, first + 6));
  *c.mutable_created_at() = rpc::timestamp_from_micros(r.int64(row, first + 7));
  *c.mutable_updated_at() = rpc::timestamp_from_micros(r.int64(row, first + 8));
  c.set_handler(r.str(row, first + 9));
  c.set_waiting_for_human(r.boolean(row, first + 10));
  return c;
}

constexpr int kConversationColumns = 11;

/// BF_CONVERSATION_COLUMNS then BF_LAST_MESSAGE_COLUMNS (NULL when there is no message).
chat::v1::Conversation read_conversation_with_last(const pg::Result& r, int row) {
  auto c = read_conversation(r, row);
  constexpr int kLast = kConversationColumns;
  if (!r.is_null(row, kLast)) {
    auto* last = c.mutable_last_message();
    last->set_seq(r.int64(row, kLast));
    last->set_sender_kind(chatwire::sender_kind_from_name(r.text(row, kLast + 1)));
    last->set_preview(r.str(row, kLast + 2));
    *last->mutable_created_at() = rpc::timestamp_from_micros(r.int64(row, kLast + 3));
  }
  return c;
}

chat::v1::Message insert_message(pg::Connection& connection, const NewMessage& m,
                                 std::int64_t seq) {
  // Prepared (parsed and planned once per connection): the hot path of every stored message
  // (docs/benchmarks.md, "Chat ingest").
  auto inserted = connection.exec_prepared(
      "chat_insert_message", kInsertMessage, {m.conversation_id, std::to_string(seq),
                       std::string(chatwire::sender_kind_name(m.sender_kind)), m.sender_id,
                       m.sender_name, m.text, m.client_id, sources_param(m.sources),
                       m.answered ? pg::Param(*m.answered ? "true" : "false") : pg::Param()});
  return read_message(inserted, 0);
}

/// kAppendMessage's parameters for `m`.
std::vector<pg::Param> append_params(const NewMessage& m) {
  return {m.conversation_id,
          m.client_id,
          std::string(chatwire::sender_kind_name(m.sender_kind)),
          m.sender_id,
          m.sender_name,
          m.text,
          sources_param(m.sources),
          m.answered ? pg::Param(*m.answered ? "true" : "false") : pg::Param(),
          optional_param(m.tenant_id),
          m.deliver_to_channel ? "true" : "false",
          m.language,
          optional_param(m.room_member_kind),
          optional_param(m.room_member_id),
          m.e2ee_key ? pg::Param(std::to_string(m.e2ee_key->epoch)) : pg::Param(),
          m.e2ee_key ? pg::Param(m.e2ee_key->key_id) : pg::Param()};
}

/// The AppendResult of kAppendMessage's answer to `m`; std::nullopt for no row (unknown
/// conversation or another tenant's).
std::optional<AppendResult> read_append(const pg::Result& r, const NewMessage& m) {
  if (r.rows() == 0) return std::nullopt;
  AppendResult result;
  result.duplicate = r.boolean(0, kAppendDuplicateColumn);
  auto conversation = read_conversation(r, 0, kMessageColumns);
  result.tenant_id = conversation.tenant_id();
  result.bot_id = conversation.bot_id();
  result.channel = conversation.channel();
  if (result.duplicate) {
    result.message = read_message(r, 0);
    return result;
  }
  auto& message = result.message;
  message.set_id(r.str(0, 0));
  message.set_conversation_id(r.str(0, 1));
  message.set_seq(r.int64(0, 2));
  auto* sender = message.mutable_sender();
  sender->set_kind(m.sender_kind);
  sender->set_id(m.sender_id);
  sender->set_name(m.sender_name);
  message.set_text(m.text);
  message.set_client_id(m.client_id);
  *message.mutable_created_at() = rpc::timestamp_from_micros(r.int64(0, 8));
  for (const auto& s : m.sources) {
    auto* source = message.add_sources();
    source->set_document_id(s.document_id);
    source->set_document_title(s.document_title);
    source->set_chunk_id(s.chunk_id);
  }
  // answer feedback: a model reply (answered set) can be rated.
  message.set_rateable(m.sender_kind == common::v1::SENDER_KIND_BOT && m.answered.has_value());
  result.outbound = r.boolean(0, kAppendOutboundColumn);
  auto* last = conversation.mutable_last_message();
  last->set_seq(message.seq());
  last->set_sender_kind(m.sender_kind);
  last->set_preview(chatwire::message_preview(m.text));
  *last->mutable_created_at() = message.created_at();
  result.conversation = std::move(conversation);
  return result;
}

}  // namespace

const char* list_conversations_sql() { return kListConversations; }

ChatStore::ChatStore(pg::Pool& pool) : pool_(pool) {}

std::vector<AppendOutcome> ChatStore::append_batch(const std::vector<const NewMessage*>& messages,
                                                    int* rounds) {
  std::vector<AppendOutcome> outcomes(messages.size());
  std::vector<std::size_t> pending(messages.size());
  for (std::size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  std::vector<int> races(messages.size(), 0);
  std::vector<std::size_t> first;  // per pending message: the index of its first statement
  int round = 0;
  auto connection = pool_.acquire();
  while (!pending.empty()) {
    ++round;
    std::vector<pg::PipelineOutcome> results;
    {
      pg::Pipeline pipeline(*connection);
      try {
        pipeline.send("BEGIN");
        first.clear();
        std::size_t sent = 1;  // BEGIN
        for (auto index : pending) {
          first.push_back(sent);
          // roomcore: membership (and harden: the e2ee key epoch) checked in the append
          if (!messages[index]->room_member_kind.empty() || messages[index]->e2ee_key) {
            pipeline.send_prepared("chat_lock_for_member_append", kLockForMemberAppend,
                                   {messages[index]->conversation_id});
            ++sent;
          }
          pipeline.send_prepared("chat_append_message", kAppendMessage, append_params(*messages[index]));
          ++sent;
        }
        pipeline.send("COMMIT");
        results = pipeline.sync();
        if (pipeline.transaction_open()) {
          pipeline.send("ROLLBACK");
          pipeline.sync();
        }
      } catch (const pg::Error&) {
        // The connection broke: nothing is known of this round; every message still pending
        // gets the error (a retry with the same client_id is answered as a duplicate if it was
        // committed after all).
        for (auto index : pending) outcomes[index].error = std::current_exception();
        break;
      }
    }
    const auto& commit = results.back();
    // first[k]: the first statement of pending message k (its lock, then its append).
    auto append_of = [&](std::size_t k) -> const pg::PipelineOutcome& {
      std::size_t end = k + 1 < first.size() ? first[k + 1] : results.size() - 1;
      return results[end - 1];
    };
    if (commit.result) {  // committed: every statement of the round ran
      for (std::size_t k = 0; k < pending.size(); ++k) {
        outcomes[pending[k]].stored = read_append(*append_of(k).result, *messages[pending[k]]);
      }
      break;
    }
    // Rolled back: the first failing statement is answered with its error (a client-id race
    // with another transaction is run again instead, twice at most); the others run again.
    std::size_t failed = pending.size();
    const pg::PipelineOutcome* bad_statement = nullptr;
    for (std::size_t k = 0; k < pending.size() && !bad_statement; ++k) {
      std::size_t end = k + 1 < first.size() ? first[k + 1] : results.size() - 1;
      for (std::size_t i = first[k]; i < end; ++i) {
        if (results[i].error) {
          failed = k;
          bad_statement = &results[i];
          break;
        }
      }
    }
    if (failed == pending.size()) {  // BEGIN or COMMIT itself failed: the round's fault, not one message's
      auto error = results.front().error ? results.front().error : commit.error;
      for (auto index : pending) outcomes[index].error = error;
      break;
    }
    const auto& bad = *bad_statement;
    std::size_t index = pending[failed];
    if (bad.sqlstate == "23505" && bad.constraint == "messages_conversation_client_id" &&
        races[index] < 2) {
      ++races[index];
    } else {
      outcomes[index].error = bad.error;
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(failed));
    }
  }
  if (rounds) *rounds = round;
  return outcomes;
}

std::optional<AppendResult> ChatStore::append(const NewMessage& message) {
  auto outcomes = append_batch({&message});
  if (outcomes[0].error) std::rethrow_exception(outcomes[0].error);
  return std::move(outcomes[0].stored);
}

std::optional<chat::v1::Message> ChatStore::find_by_client_id(const std::string& conversation_id,
                                                              const std::string& client_id,
                                                              const std::string& tenant_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kFindByClientId, {conversation_id, client_id, optional_param(tenant_id)});
  if (r.rows() == 0) return std::nullopt;
  return read_message(r, 0);
}

CreateResult ChatStore::create(const NewConversation& conversation,
                               const std::optional<NewMessage>& greeting) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  auto inserted = connection->exec(
      kInsertConversation,
      {conversation.tenant_id, conversation.bot_id, conversation.channel, conversation.visitor_id,
       conversation.visitor_name, greeting ? "1" : "0"});
  CreateResult result;
  result.conversation = read_conversation(inserted, 0);
  if (greeting) {
    NewMessage first = *greeting;
    first.conversation_id = result.conversation.id();
    result.greeting = insert_message(*connection, first, 1);
  }
  tx.commit();
  return result;
}

std::optional<chat::v1::Conversation> ChatStore::get(const std::string& conversation_id,
                                                     const std::string& tenant_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kGetConversation, {conversation_id, optional_param(tenant_id)});
  if (r.rows() == 0) return std::nullopt;
  return read_conversation(r, 0);
}

ConversationPage ChatStore::list(const ConversationQuery& q) {
  auto connection = pool_.acquire();
  bool keyset = !q.after_id.empty();
  auto r = connection->exec(
      kListConversations,
      {q.tenant_id, optional_param(q.bot_id), optional_param(q.channel), optional_param(q.handler),
       q.waiting_only ? pg::Param("true") : pg::Param(), std::to_string(q.limit + 1),
       optional_param(q.user_id),
       keyset ? pg::Param(std::to_string(q.after_updated_micros)) : pg::Param(),
       keyset ? pg::Param(q.after_id) : pg::Param()});
  ConversationPage page;
  int rows = std::min(r.rows(), q.limit);
  page.more = r.rows() > q.limit;
  page.conversations.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    auto c = read_conversation_with_last(r, i);
    if (!q.user_id.empty()) {
      c.set_read_seq(r.int64(i, kConversationColumns + 4));
      c.set_unread_count(static_cast<std::int32_t>(r.int64(i, kConversationColumns + 5)));
    }
    page.conversations.push_back(std::move(c));
  }
  return page;
}

std::vector<chat::v1::Message> ChatStore::messages_since(const std::string& conversation_id,
                                                         std::int64_t since_seq, int limit) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kMessagesSince,
                            {conversation_id, std::to_string(since_seq), std::to_string(limit)});
  std::vector<chat::v1::Message> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_message(r, i));
  return out;
}

std::optional<StateChange> ChatStore::set_state(const std::string& conversation_id,
                                                const std::string& tenant_id,
                                                chat::v1::ConversationAction action) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  auto locked = connection->exec(kLockState, {conversation_id, tenant_id});
  if (locked.rows() == 0) return std::nullopt;
  std::string handler = locked.str(0, 0);
  bool waiting = locked.boolean(0, 1);
  std::string new_handler = handler;
  bool new_waiting = waiting;
  switch (action) {
    case chat::v1::CONVERSATION_ACTION_TAKEOVER:
      new_handler = "human";
      new_waiting = false;
      break;
    case chat::v1::CONVERSATION_ACTION_HANDBACK:
      new_handler = "bot";
      new_waiting = false;
      break;
    case chat::v1::CONVERSATION_ACTION_REQUEST_HUMAN:
      new_waiting = handler == "bot";
      break;
    default: break;
  }
  StateChange change;
  change.changed = new_handler != handler || new_waiting != waiting;
  if (change.changed) {
    connection->exec(kWriteState, {conversation_id, new_handler, new_waiting ? "true" : "false"});
  }
  auto row = connection->exec(kGetConversationWithLast, {conversation_id, tenant_id});
  change.conversation = read_conversation_with_last(row, 0);
  tx.commit();
  return change;
}

std::optional<ReadPosition> ChatStore::mark_read(const std::string& conversation_id,
                                                 const std::string& tenant_id,
                                                 const std::string& user_id, std::int64_t seq) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kMarkRead, {conversation_id, tenant_id, user_id, std::to_string(seq)});
  if (r.rows() == 0) return std::nullopt;
  ReadPosition position;
  position.read_seq = r.int64(0, 0);
  auto unread = connection->exec(kUnread, {conversation_id, std::to_string(position.read_seq)});
  position.unread_count = static_cast<std::int32_t>(unread.int64(0, 0));
  return position;
}

std::vector<chat::v1::AnalyticsDay> ChatStore::analytics(const std::string& tenant_id,
                                                         const std::string& bot_id, int days) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kAnalytics,
                            {tenant_id, std::to_string(days), optional_param(bot_id)});
  std::vector<chat::v1::AnalyticsDay> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    chat::v1::AnalyticsDay day;
    day.set_date(r.str(i, 0));
    day.set_visitor_messages(r.int64(i, 1));
    day.set_bot_messages(r.int64(i, 2));
    day.set_operator_messages(r.int64(i, 3));
    day.set_conversations_started(r.int64(i, 4));
    day.set_answered(r.int64(i, 5));
    day.set_unanswered(r.int64(i, 6));
    out.push_back(std::move(day));
  }
  return out;
}

bool ChatStore::human_handles(const std::string& conversation_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("cs_handler", kHandler, {conversation_id});
  return r.rows() > 0 && r.text(0, 0) == "human";
}

bool ChatStore::exists(const std::string& conversation_id) {
  auto connection = pool_.acquire();
  return connection->exec(kConversationExists, {conversation_id}).rows() > 0;
}

std::vector<Turn> ChatStore::recent_turns(const std::string& conversation_id,
                                          std::int64_t before_seq, int max_turns) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("cs_recent_turns", kRecentTurns, {conversation_id, std::to_string(before_seq),
                                           std::to_string(max_turns)});
  std::vector<Turn> turns;
  turns.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = r.rows() - 1; i >= 0; --i) {
    turns.push_back(Turn{chatwire::sender_kind_from_name(r.text(i, 0)), r.str(i, 1)});
  }
  return turns;
}

std::vector<Turn> ChatStore::participant_turns(const std::string& conversation_id,
                                               std::int64_t before_seq,
                                               common::v1::SenderKind sender_kind,
                                               const std::string& sender_id, int max_turns) {
  auto connection = pool_.acquire();
  auto r = connection->exec(
      kParticipantTurns,
      {conversation_id, std::to_string(before_seq),
       std::string(chatwire::sender_kind_name(sender_kind)), sender_id, std::to_string(max_turns)});
  std::vector<Turn> turns;
  turns.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = r.rows() - 1; i >= 0; --i) {
    turns.push_back(Turn{chatwire::sender_kind_from_name(r.text(i, 0)), r.str(i, 1)});
  }
  return turns;
}

}  // namespace botfactory::channel
