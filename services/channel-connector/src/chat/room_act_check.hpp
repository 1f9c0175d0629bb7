#pragma once
// harden: the checks a room act (a post, an edit, a file message) repeats inside its own
// transaction, under the conversation row lock that a leave / removal takes before it deletes
// the member row and opens the next e2ee key epoch (rooms/room_repository.cpp): the actor is
// a member now, and an e2ee room's envelope carries the room's current key epoch and key id.
// The SQL fragments are shared by every statement that stores such an act (chat_store.cpp
// kAppendMessage, message_edit_repository.cpp kRoomActCheck) so the rule is written once.

#include <cstdint>
#include <string>

namespace botfactory::channel {

/// The (key epoch, key id) of an e2ee room message's envelope (e2ee/e2ee_envelope.hpp).
struct E2eeKeyCheck {
  std::int32_t epoch = 0;
  std::string key_id;
};

}  // namespace botfactory::channel

/// SQL boolean: the member (KIND text, ID text) is in chat.room_members of room ROOM (uuid);
/// true when KIND is NULL (no check). Arguments are placeholders such as "$1".
#define BF_ROOM_MEMBER_NOW(ROOM, KIND, ID)                                                  \
  "(" KIND "::text IS NULL OR EXISTS (SELECT 1 FROM chat.room_members rm"                   \
  " WHERE rm.room_id = " ROOM "::uuid AND rm.member_kind = " KIND "::text"                  \
  " AND rm.member_id = " ID "::text))"

/// SQL boolean: room ROOM's key_epoch is EPOCH (integer) and that epoch's key id is KEY (text)
/// (chat.rooms, chat.e2ee_room_epochs); true when EPOCH is NULL (no check).
#define BF_ROOM_KEY_CURRENT(ROOM, EPOCH, KEY)                                                 \
  "(" EPOCH "::integer IS NULL OR EXISTS (SELECT 1 FROM chat.rooms r JOIN chat.e2ee_room_epochs e" \
  " ON e.room_id = r.conversation_id AND e.epoch = r.key_epoch WHERE r.conversation_id = " ROOM   \
  "::uuid AND r.key_epoch = " EPOCH "::integer AND e.key_id = " KEY "::text))"
