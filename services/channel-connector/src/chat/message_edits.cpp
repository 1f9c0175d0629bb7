#include "chat/message_edits.hpp"

#include <optional>

#include "botfactory/chatwire/message_change_event.hpp"
#include "botfactory/common/ids.hpp"
#include "botfactory/common/text.hpp"

namespace botfactory::channel {
namespace {

constexpr std::size_t kMaxEditCodePoints = 4000;  // as PostMessage (validation.hpp)
constexpr std::size_t kMaxActorIdBytes = 512;

[[noreturn]] void invalid(const std::string& message) {
  throw EditError(EditError::Kind::kInvalid, "invalid_argument", message);
}
[[noreturn]] void not_found(const std::string& message) {
  throw EditError(EditError::Kind::kNotFound, "not_found", message);
}

void check_ids(const std::string& tenant_id, const std::string& conversation_id,
               std::int64_t seq, const EditActor& actor) {
  if (!common::is_uuid(tenant_id)) invalid("tenant_id must be a UUID");
  if (conversation_id.empty()) invalid("conversation_id is required");
  if (!common::is_uuid(conversation_id)) not_found("conversation not found");
  if (seq <= 0) invalid("seq must be > 0");
  if (actor.id.empty() || actor.id.size() > kMaxActorIdBytes) invalid("actor.id is required");
  if (actor.kind != common::v1::SENDER_KIND_VISITOR &&
      actor.kind != common::v1::SENDER_KIND_OPERATOR) {
    invalid("actor.kind must be visitor or operator");
  }
}

/// The in-transaction room check for `actor` (chat.room_members kind "user" for operators,
/// "visitor" for visitors), without a key check.
RoomEditCheck room_check_of(const EditActor& actor) {
  return RoomEditCheck{actor.kind == common::v1::SENDER_KIND_OPERATOR ? "user" : "visitor", actor.id,
                       std::nullopt};
}

}  // namespace

void EditRules::check_change(const EditTarget& target, const EditActor& actor) const {
  if (target.sender_kind != actor.kind || target.sender_id != actor.id) {
    throw EditError(EditError::Kind::kForbidden, "forbidden",
                    "only the author may edit or delete a message");
  }
  if (target.deleted) {
    throw EditError(EditError::Kind::kConflict, "message_deleted", "the message was deleted");
  }
  if (target.now_us - target.created_at_us > window_.count() * 1000) {
    throw EditError(EditError::Kind::kConflict, "edit_window_closed",
                    "a message can be edited or deleted within " +
                        std::to_string(window_.count() / 1000) + " s of posting it");
  }
}

std::string EditRules::checked_text(const std::string& text) {
  if (!common::is_valid_utf8(text) || text.find('\0') != std::string::npos) {
    invalid("text must be valid UTF-8");
  }
  auto trimmed = common::trim(text);
  if (trimmed.empty()) invalid("text must not be empty");
  if (common::utf8_length(trimmed) > kMaxEditCodePoints) {
    invalid("text must be at most " + std::to_string(kMaxEditCodePoints) + " characters");
  }
  return std::string(trimmed);
}

MessageEdits::MessageEdits(MessageEditRepository& rows, ConversationAdmins& admins,
                           Serializer serializer, std::chrono::milliseconds window)
    : rows_(rows), admins_(admins), serializer_(std::move(serializer)), rules_(window) {}

chat::v1::Message MessageEdits::edit(const std::string& tenant_id,
                                     const std::string& conversation_id, std::int64_t seq,
                                     const EditActor& actor, const std::string& text) {
  check_ids(tenant_id, conversation_id, seq, actor);
  auto checked = EditRules::checked_text(text);
  auto room = room_check_of(actor);
  if (text_check_) room.key = text_check_(conversation_id, checked);
  try {
    return change(tenant_id, conversation_id, seq, actor, MessageChange::kEdit, checked, &room);
  } catch (const EditError& e) {
    // harden: the epoch moved on meanwhile; the pre-check now names the current one.
    if (e.code() == "key_epoch_stale" && text_check_) text_check_(conversation_id, checked);
    throw;
  }
}

chat::v1::Message MessageEdits::remove(const std::string& tenant_id,
                                       const std::string& conversation_id, std::int64_t seq,
                                       const EditActor& actor) {
  check_ids(tenant_id, conversation_id, seq, actor);
  // harden: in a room the author must still be a member inside the delete's transaction (a
  // removal may commit between the caller's membership check and the row lock); no key check,
  // a tombstone carries no text.
  auto room = room_check_of(actor);
  return change(tenant_id, conversation_id, seq, actor, MessageChange::kDelete, "", &room);
}

chat::v1::Message MessageEdits::change(const std::string& tenant_id,
                                       const std::string& conversation_id, std::int64_t seq,
                                       const EditActor& actor, MessageChange kind,
                                       const std::string& text, const RoomEditCheck* room) {
  std::optional<chat::v1::Message> event;
  serializer_(conversation_id, [&]() -> std::string {
    event = rows_.change(tenant_id, conversation_id, seq, kind, text,
                         [&](const EditTarget& target) {
                           if (!target.room_member) {
                             throw EditError(EditError::Kind::kForbidden, "forbidden",
                                             "only members of the room can edit or delete in it");
                           }
                           rules_.check_change(target, actor);
                           if (!target.room_key_current) {
                             throw EditError(EditError::Kind::kConflict, "key_epoch_stale",
                                             "the room's key epoch changed: re-encrypt and resend");
                           }
                         },
                         room);
    return event ? chatwire::encode_message_change(*event) : std::string();
  });
  if (!event) not_found("message not found");
  return std::move(*event);
}

MessageHistory MessageEdits::versions(const std::string& tenant_id,
                                      const std::string& conversation_id, std::int64_t seq,
                                      const EditActor& actor) {
  check_ids(tenant_id, conversation_id, seq, actor);
  if (!admins_.is_admin(tenant_id, conversation_id, actor)) {
    throw EditError(EditError::Kind::kForbidden, "forbidden",
                    "only an admin of the conversation may read earlier versions");
  }
  auto history = rows_.versions(tenant_id, conversation_id, seq);
  if (!history) not_found("message not found");
  return std::move(*history);
}

std::vector<chat::v1::Message> MessageEdits::history_since(const std::string& conversation_id,
                                                           std::int64_t since_seq, int limit) {
  return rows_.history_since(conversation_id, since_seq, limit);
}

std::vector<chat::v1::Message> MessageEdits::history_before(const std::string& conversation_id,
                                                            std::int64_t before_seq, int limit) {
  return rows_.history_before(conversation_id, before_seq, limit);
}

}  // namespace botfactory::channel
