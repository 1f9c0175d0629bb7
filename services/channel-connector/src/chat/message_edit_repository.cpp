#include "chat/message_edit_repository.hpp"

#include <algorithm>

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "chat/message_rows.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kLockConversation =
    "SELECT last_seq FROM chat.conversations WHERE id = $1 AND tenant_id = $2 FOR UPDATE";
constexpr const char* kLockMessage =
    "SELECT m.id, m.sender_kind, m.sender_id, (extract(epoch from m.created_at) * 1000000)::bigint, "
    "m.deleted_at IS NOT NULL, (extract(epoch from now()) * 1000000)::bigint "
    "FROM chat.messages m WHERE m.conversation_id = $1 AND m.seq = $2 AND m.event IS NULL "
    "FOR UPDATE";  // a room's membership event is not a message: not editable
// harden: read after kLockConversation, so every leave / removal (and e2ee epoch bump) that
// committed before is seen and none can commit until the edit does. No row: not a room.
// $1 conversation, $2/$3 the editor's member kind and id, $4/$5 the new envelope's epoch / key.
constexpr const char* kRoomActCheck =
    "SELECT " BF_ROOM_MEMBER_NOW("$1", "$2", "$3") ", (NOT r.e2ee OR " BF_ROOM_KEY_CURRENT(
        "$1", "$4", "$5") ") FROM chat.rooms r WHERE r.conversation_id = $1::uuid";
constexpr const char* kKeepVersion =
    "INSERT INTO chat.message_versions (message_id, version, text, written_at, replaced_by) "
    "SELECT m.id, COALESCE((SELECT max(v.version) FROM chat.message_versions v "
    "WHERE v.message_id = m.id), 0) + 1, m.text, COALESCE(m.edited_at, m.created_at), $2 "
    "FROM chat.messages m WHERE m.id = $1";
constexpr const char* kApplyEdit =
    "UPDATE chat.messages m SET text = $2, edited_at = now() WHERE m.id = $1 "
    "RETURNING " BF_MESSAGE_ROW_COLUMNS;
constexpr const char* kApplyDelete =
    "UPDATE chat.messages m SET text = '', deleted_at = now() WHERE m.id = $1 "
    "RETURNING " BF_MESSAGE_ROW_COLUMNS;
constexpr const char* kAppendEvent =
    "INSERT INTO chat.message_events (conversation_id, seq, kind, target_seq) "
    "VALUES ($1, $2, $3, $4)";
constexpr const char* kAdvanceLastSeq = "UPDATE chat.conversations SET last_seq = $2 WHERE id = $1";
// One statement, so one snapshot: every seq below the highest returned is there (messages and
// events commit in seq order under the conversation's row lock). Each branch is a bounded index
// range scan in seq order (messages_conversation_seq, message_events' primary key) and the
// planner merges them (Merge Append): a page reads at most 2 x limit rows however long the
// conversation (EXPLAIN in docs/benchmarks.md "Edits").
constexpr const char* kHistorySince =
    "SELECT h.* FROM (("
    "SELECT m.seq AS at_seq, ''::text AS event, " BF_MESSAGE_ROW_COLUMNS
    " FROM chat.messages m WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3) "
    "UNION ALL ("
    "SELECT e.seq, e.kind, " BF_MESSAGE_ROW_COLUMNS
    " FROM chat.message_events e JOIN chat.messages m "
    "ON m.conversation_id = e.conversation_id AND m.seq = e.target_seq "
    "WHERE e.conversation_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3)"
    ") h ORDER BY h.at_seq LIMIT $3";
// roomcore: the page before `before_seq` ($2), the same merge read backwards: the newest $3
// entries of both branches, newest first (history_before() turns it oldest first).
constexpr const char* kHistoryBefore =
    "SELECT h.* FROM (("
    "SELECT m.seq AS at_seq, ''::text AS event, " BF_MESSAGE_ROW_COLUMNS
    " FROM chat.messages m WHERE m.conversation_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3) "
    "UNION ALL ("
    "SELECT e.seq, e.kind, " BF_MESSAGE_ROW_COLUMNS
    " FROM chat.message_events e JOIN chat.messages m "
    "ON m.conversation_id = e.conversation_id AND m.seq = e.target_seq "
    "WHERE e.conversation_id = $1 AND e.seq < $2 ORDER BY e.seq DESC LIMIT $3)"
    ") h ORDER BY h.at_seq DESC LIMIT $3";
constexpr const char* kMessageOfTenant =
    "SELECT " BF_MESSAGE_ROW_COLUMNS " FROM chat.messages m JOIN chat.conversations c "
    "ON c.id = m.conversation_id WHERE m.conversation_id = $1 AND m.seq = $2 AND c.tenant_id = $3";
constexpr const char* kVersions =
    "SELECT version, text, (extract(epoch from written_at) * 1000000)::bigint, "
    "(extract(epoch from replaced_at) * 1000000)::bigint, replaced_by "
    "FROM chat.message_versions WHERE message_id = $1 ORDER BY version";



/// The rows of kHistorySince / kHistoryBefore: at_seq, event kind ('' for a message), then
/// BF_MESSAGE_ROW_COLUMNS. An event carries its message's state, its own seq and target_seq.
std::vector<chat::v1::Message> read_history(const pg::Result& r) {
  std::vector<chat::v1::Message> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    auto m = read_message_row(r, i, 2);
    std::string event = r.str(i, 1);
    if (!event.empty()) {
      m.set_target_seq(m.seq());
      m.set_seq(r.int64(i, 0));
      m.set_event(std::move(event));
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

MessageEditRepository::MessageEditRepository(pg::Pool& pool) : pool_(pool) {}

std::optional<chat::v1::Message> MessageEditRepository::change(
    const std::string& tenant_id, const std::string& conversation_id, std::int64_t seq,
    MessageChange kind, const std::string& text,
    const std::function<void(const EditTarget&)>& check, const RoomEditCheck* room) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  auto locked = connection->exec(kLockConversation, {conversation_id, tenant_id});
  if (locked.rows() == 0) return std::nullopt;
  auto target_row = connection->exec(kLockMessage, {conversation_id, std::to_string(seq)});
  if (target_row.rows() == 0) return std::nullopt;
  EditTarget target;
  target.message_id = target_row.str(0, 0);
  target.sender_kind = chatwire::sender_kind_from_name(target_row.text(0, 1));
  target.sender_id = target_row.str(0, 2);
  target.created_at_us = target_row.int64(0, 3);
  target.deleted = target_row.boolean(0, 4);
  target.now_us = target_row.int64(0, 5);
  if (room) {
    auto in_room = connection->exec(
        kRoomActCheck, {conversation_id, room->member_kind, room->member_id,
                        room->key ? pg::Param(std::to_string(room->key->epoch)) : pg::Param(),
                        room->key ? pg::Param(room->key->key_id) : pg::Param()});
    if (in_room.rows() > 0) {
      target.room_member = in_room.boolean(0, 0);
      target.room_key_current = in_room.boolean(0, 1);
    }
  }
  check(target);
  bool edit = kind == MessageChange::kEdit;
  connection->exec(kKeepVersion, {target.message_id, edit ? "edit" : "delete"});
  auto applied = edit ? connection->exec(kApplyEdit, {target.message_id, text})
                      : connection->exec(kApplyDelete, {target.message_id});
  std::int64_t event_seq = locked.int64(0, 0) + 1;
  const char* event_kind = edit ? "edited" : "deleted";
  connection->exec(kAppendEvent,
                   {conversation_id, std::to_string(event_seq), event_kind, std::to_string(seq)});
  connection->exec(kAdvanceLastSeq, {conversation_id, std::to_string(event_seq)});
  auto event = read_message_row(applied, 0, 0);
  event.set_target_seq(seq);
  event.set_seq(event_seq);
  event.set_event(event_kind);
  tx.commit();
  return event;
}

std::vector<chat::v1::Message> MessageEditRepository::history_since(
    const std::string& conversation_id, std::int64_t since_seq, int limit) {
  auto connection = pool_.acquire();
  return read_history(connection->exec(
      kHistorySince, {conversation_id, std::to_string(since_seq), std::to_string(limit)}));
}

std::vector<chat::v1::Message> MessageEditRepository::history_before(
    const std::string& conversation_id, std::int64_t before_seq, int limit) {
  auto connection = pool_.acquire();
  auto page = read_history(connection->exec(
      kHistoryBefore, {conversation_id, std::to_string(before_seq), std::to_string(limit)}));
  std::reverse(page.begin(), page.end());
  return page;
}

std::optional<MessageHistory> MessageEditRepository::versions(const std::string& tenant_id,
                                                              const std::string& conversation_id,
                                                              std::int64_t seq) {
  auto connection = pool_.acquire();
  auto found =
      connection->exec(kMessageOfTenant, {conversation_id, std::to_string(seq), tenant_id});
  if (found.rows() == 0) return std::nullopt;
  MessageHistory history;
  history.message = read_message_row(found, 0, 0);
  auto r = connection->exec(kVersions, {history.message.id()});
  history.versions.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    chat::v1::MessageVersion v;
    v.set_version(static_cast<std::int32_t>(r.int64(i, 0)));
    v.set_text(r.str(i, 1));
    *v.mutable_written_at() = rpc::timestamp_from_micros(r.int64(i, 2));
    *v.mutable_replaced_at() = rpc::timestamp_from_micros(r.int64(i, 3));
    v.set_replaced_by(r.str(i, 4));
    history.versions.push_back(std::move(v));
  }
  return history;
}

}  // namespace botfactory::channel
