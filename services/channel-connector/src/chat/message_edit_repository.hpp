#pragma once
// PostgreSQL access for editing and deleting messages (issue 11): the locked change with its
// version row and its event in the conversation's seq stream, the history read that merges
// messages and events in seq order, and the versions read. SQL only; the rules are in
// message_edits.hpp.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/chat/v1/chat.pb.h"
#include "chat/room_act_check.hpp"

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// The message an edit or delete is about, as stored, with the database's clock.
struct EditTarget {
  std::string message_id;
  common::v1::SenderKind sender_kind = common::v1::SENDER_KIND_UNSPECIFIED;
  std::string sender_id;
  std::int64_t created_at_us = 0;  // µs since the Unix epoch
  std::int64_t now_us = 0;         // the transaction's now(), µs since the Unix epoch
  bool deleted = false;
  /// harden: with a RoomEditCheck, in a room: whether the editor is a member now and (e2ee
  /// room) the new text's key is the room's current one, read under the conversation row lock;
  /// true otherwise.
  bool room_member = true;
  bool room_key_current = true;
};

/// harden: what an edit in a room must still hold inside its transaction (room_act_check.hpp):
/// the editor (chat.room_members kind "user" / "visitor" and id) is a member, and in an e2ee
/// room `key` (the new envelope's epoch and key id; unset = no key check) is current.
struct RoomEditCheck {
  std::string member_kind;
  std::string member_id;
  std::optional<E2eeKeyCheck> key;
};

/// What a change does to the message.
enum class MessageChange { kEdit, kDelete };

/// A message as it is now and its earlier texts (oldest first).
struct MessageHistory {
  chat::v1::Message message;
  std::vector<chat::v1::MessageVersion> versions;
};

/// Repository over the pool; every method borrows one connection and throws pg::Error on
/// database failures (22P02 for a malformed UUID).
class MessageEditRepository {
 public:
  explicit MessageEditRepository(pg::Pool& pool);

  /// In one transaction: locks the conversation row (of `tenant_id`; the same lock as
  /// ChatStore::append, so seq stays gap-free) and the message with `seq`, calls `check`
  /// (throw to refuse: the transaction rolls back), keeps the current text as the next
  /// chat.message_versions row, applies the change (kEdit: text = `text`, edited_at = now();
  /// kDelete: text = '', deleted_at = now()), appends the chat.message_events row with seq
  /// last_seq + 1 and advances last_seq (updated_at unchanged: an edit does not reorder the
  /// inbox). Returns the event (Message with event, target_seq and the message's new state);
  /// std::nullopt when the conversation (of that tenant) or the message does not exist.
  /// harden: with `room`, when the conversation is a room, EditTarget::room_member and
  /// room_key_current are read after the lock (a leave / removal takes it first), for `check`.
  std::optional<chat::v1::Message> change(const std::string& tenant_id,
                                          const std::string& conversation_id, std::int64_t seq,
                                          MessageChange kind, const std::string& text,
                                          const std::function<void(const EditTarget&)>& check,
                                          const RoomEditCheck* room = nullptr);

  /// Messages (with edited_at / deleted) and edit / delete events with seq > since_seq, merged
  /// in seq order, at most `limit`, read in one statement (one snapshot: no seq is skipped).
  /// An event carries its message's current state.
  std::vector<chat::v1::Message> history_since(const std::string& conversation_id,
                                               std::int64_t since_seq, int limit);

  /// roomcore: history_since() read backwards: the newest `limit` entries (messages and
  /// events) with seq < before_seq, returned oldest first, in one statement.
  std::vector<chat::v1::Message> history_before(const std::string& conversation_id,
                                                std::int64_t before_seq, int limit);

  /// The message with `seq` of the tenant's conversation and its versions; std::nullopt when
  /// there is none.
  std::optional<MessageHistory> versions(const std::string& tenant_id,
                                         const std::string& conversation_id, std::int64_t seq);

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
