#include "e2ee/e2ee_hooks.hpp"

#include "attachments/attachment_service.hpp"
#include "e2ee/e2ee_envelope.hpp"
#include "e2ee/e2ee_grpc_service.hpp"
#include "e2ee/e2ee_room_keys.hpp"
#include "chat/message_edits.hpp"
#include "rooms/room_service.hpp"

namespace botfactory::channel {

void hook_e2ee(E2eeRoomKeys& keys, RoomService& rooms, MessageEdits& edits, AttachmentService& attachments) {
  rooms.set_e2ee(&keys);
  edits.set_text_check([&keys](const std::string& conversation_id,
                               const std::string& text) -> std::optional<E2eeKeyCheck> {
    try {
      keys.check_text(conversation_id, text);
      return e2ee_key_of(text);  // checked again in the edit (a non-e2ee room ignores it)
    } catch (const E2eeError& e) {
      throw EditError(e.kind() == E2eeError::Kind::kInvalid ? EditError::Kind::kInvalid
                                                            : EditError::Kind::kConflict,
                      e.code(), e.what());
    }
  });
  attachments.set_sealed(
      [&keys](const std::string& conversation_id) { return keys.is_e2ee_room(conversation_id); },
      [&keys](const std::string& conversation_id, const std::string& caption) -> std::optional<E2eeKeyCheck> {
        try {
          keys.check_text(conversation_id, caption);
          return e2ee_key_of(caption);
        } catch (const E2eeError& e) {
          throw e2ee_status_error(e);
        }
      });
}

}  // namespace botfactory::channel
