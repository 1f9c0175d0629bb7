#pragma once
// Rooms plug into edits' ConversationAdmins port (message_edits.hpp): in a room the owner and
// admins (chat.room_members.role) are the conversation's admins — they read earlier versions of
// its messages (GET /api/v1/conversations/{id}/messages/{seq}/versions); other conversations
// keep their own rule (support: the tenant's users).

#include <string>

#include "chat/message_edits.hpp"
#include "rooms/room_repository.hpp"

namespace botfactory::channel {

/// ConversationAdmins for rooms with a fallback for every other conversation. Throws
/// pg::Error on database failures (one room lookup per call).
class RoomConversationAdmins final : public ConversationAdmins {
 public:
  /// `others`: the rule of conversations that are not rooms (e.g. SupportConversationAdmins).
  RoomConversationAdmins(RoomRepository& rooms, ConversationAdmins& others)
      : rooms_(rooms), others_(others) {}

  bool is_admin(const std::string& tenant_id, const std::string& conversation_id,
                const EditActor& actor) override {
    MemberRef viewer;
    viewer.kind = actor.kind == common::v1::SENDER_KIND_OPERATOR  ? "user"
                  : actor.kind == common::v1::SENDER_KIND_VISITOR ? "visitor"
                                                                  : "";
    viewer.id = actor.id;
    auto room = rooms_.get(tenant_id, conversation_id, viewer);
    if (!room) return others_.is_admin(tenant_id, conversation_id, actor);
    if (viewer.kind.empty() || viewer.id.empty()) return false;
    return room->my_role() == "owner" || room->my_role() == "admin";
  }

 private:
  RoomRepository& rooms_;
  ConversationAdmins& others_;
};

}  // namespace botfactory::channel
