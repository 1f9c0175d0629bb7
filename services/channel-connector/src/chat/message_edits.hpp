#pragma once
// Editing and deleting messages (issue 11, docs/protocol.md "Editing and deleting"): who may
// change which message and until when, and the admins-only read of earlier versions. Plain
// types in, transport-neutral EditError out; channel_grpc_service translates.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "botfactory/chat/v1/chat.pb.h"
#include "chat/message_edit_repository.hpp"

namespace botfactory::channel {

/// Who edits, deletes or reads versions: a sender kind and id (a visitor's token subject or a
/// tenant user's id), filled by the gateway from the caller's token.
struct EditActor {
  common::v1::SenderKind kind = common::v1::SENDER_KIND_UNSPECIFIED;
  std::string id;
};

/// A refused edit, delete or versions read. `code` is the client-facing code: invalid_argument,
/// not_found, forbidden, edit_window_closed, message_deleted.
class EditError : public std::runtime_error {
 public:
  enum class Kind { kInvalid, kNotFound, kForbidden, kConflict };
  EditError(Kind kind, std::string code, const std::string& message)
      : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
  Kind kind() const { return kind_; }
  const std::string& code() const { return code_; }

 private:
  Kind kind_;
  std::string code_;
};

/// "Who is admin here": may `actor` read the earlier versions of messages of the conversation?
/// Support conversations: SupportConversationAdmins. Rooms plug in their roles here.
class ConversationAdmins {
 public:
  virtual ~ConversationAdmins() = default;
  /// `tenant_id` / `conversation_id` identify a conversation that exists and is the tenant's.
  virtual bool is_admin(const std::string& tenant_id, const std::string& conversation_id,
                        const EditActor& actor) = 0;
};

/// Support conversations: the tenant's users (operators and admins; the gateway only sends
/// user tokens as SENDER_KIND_OPERATOR) are admins; visitors are not.
class SupportConversationAdmins final : public ConversationAdmins {
 public:
  bool is_admin(const std::string&, const std::string&, const EditActor& actor) override {
    return actor.kind == common::v1::SENDER_KIND_OPERATOR && !actor.id.empty();
  }
};

/// The rules of one change, without I/O.
class EditRules {
 public:
  /// `window`: how long after posting the author may edit or delete (EDIT_WINDOW_MS).
  explicit EditRules(std::chrono::milliseconds window) : window_(window) {}

  /// Throws EditError when `actor` may not change `target` now: forbidden (not its author —
  /// same kind and id — or a bot message), message_deleted (a tombstone), edit_window_closed
  /// (target.now_us - target.created_at_us > window).
  void check_change(const EditTarget& target, const EditActor& actor) const;

  /// The edit's text trimmed; throws EditError invalid_argument unless it is valid UTF-8
  /// without NUL, 1..4000 code points after trimming.
  static std::string checked_text(const std::string& text);

  std::chrono::milliseconds window() const { return window_; }

 private:
  std::chrono::milliseconds window_;
};

/// Edit, delete and versions of the messages of tenant-scoped conversations. Thread-safe.
class MessageEdits {
 public:
  /// Runs `commit` (which returns the frame to publish, "" for none) serialized with the
  /// conversation's other writers and publishes the frame on chat:conv:<id> in that order
  /// (ChatService::commit_and_publish).
  using Serializer = std::function<void(const std::string& conversation_id,
                                        const std::function<std::string()>& commit)>;

  /// `rows`, `admins` must outlive this.
  MessageEdits(MessageEditRepository& rows, ConversationAdmins& admins, Serializer serializer,
               std::chrono::milliseconds window);

  /// Replaces the text of message `seq` (see EditRules) and appends the `edited` event;
  /// returns the event (Message.event "edited", its own seq, target_seq = seq) after
  /// publishing `message.edited`. EditError: invalid_argument (ids, seq <= 0, text), not_found
  /// (no such conversation of the tenant or message), forbidden, message_deleted,
  /// edit_window_closed. harden: in a room, checked inside the edit's transaction under the
  /// row lock a leave / removal takes: the editor is a member now (else forbidden) and an e2ee
  /// envelope is of the current epoch and key (else key_epoch_stale / key_conflict).
  chat::v1::Message edit(const std::string& tenant_id, const std::string& conversation_id,
                         std::int64_t seq, const EditActor& actor, const std::string& text);

  /// Turns message `seq` into a tombstone and appends the `deleted` event (as edit()).
  chat::v1::Message remove(const std::string& tenant_id, const std::string& conversation_id,
                           std::int64_t seq, const EditActor& actor);

  /// The message and its earlier texts, for an admin of the conversation (ConversationAdmins);
  /// EditError forbidden otherwise, not_found when there is no such message.
  MessageHistory versions(const std::string& tenant_id, const std::string& conversation_id,
                          std::int64_t seq, const EditActor& actor);

  /// Messages and events after since_seq in seq order (MessageEditRepository::history_since).
  std::vector<chat::v1::Message> history_since(const std::string& conversation_id,
                                               std::int64_t since_seq, int limit);

  /// roomcore: the newest `limit` messages and events before before_seq, oldest first
  /// (MessageEditRepository::history_before).
  std::vector<chat::v1::Message> history_before(const std::string& conversation_id,
                                                std::int64_t before_seq, int limit);

  const EditRules& rules() const { return rules_; }

  /// e2ee rooms (docs/e2ee.md): `check(conversation_id, text)` runs before every edit and may
  /// throw EditError (the edit is refused); it returns the envelope's key in an e2ee room
  /// (checked again inside the edit's transaction, harden), std::nullopt elsewhere. Set once
  /// before serving.
  using TextCheck =
      std::function<std::optional<E2eeKeyCheck>(const std::string&, const std::string&)>;
  void set_text_check(TextCheck check) { text_check_ = std::move(check); }

 private:
  chat::v1::Message change(const std::string& tenant_id, const std::string& conversation_id,
                           std::int64_t seq, const EditActor& actor, MessageChange kind,
                           const std::string& text, const RoomEditCheck* room = nullptr);

  MessageEditRepository& rows_;
  ConversationAdmins& admins_;
  Serializer serializer_;
  EditRules rules_;
  TextCheck text_check_;
};

}  // namespace botfactory::channel
