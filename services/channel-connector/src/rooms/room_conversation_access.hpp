#pragma once
// Rooms plug into files' ConversationAccess port (conversation_access.hpp, docs/api.md
// "Attachments"): in a room the members (chat.room_members: users and widget visitors) upload
// and read its attachments, nobody else; other conversations keep their own rule (support: its
// visitor and the tenant's users).

#include <string>

#include "attachments/conversation_access.hpp"
#include "rooms/room_repository.hpp"

namespace botfactory::channel {

/// ConversationAccess for rooms with a fallback for every other conversation. Throws pg::Error
/// on database failures (one room lookup per call).
class RoomConversationAccess final : public ConversationAccess {
 public:
  /// `others`: the rule of conversations that are not rooms (TenantConversationAccess).
  RoomConversationAccess(RoomRepository& rooms, ConversationAccess& others)
      : rooms_(rooms), others_(others) {}

  /// A room: `actor` (kind from actor.visitor, id = the token's subject) is one of its members.
  bool is_member(const std::string& conversation_id, const ConversationActor& actor) override {
    MemberRef viewer{actor.visitor ? "visitor" : "user", actor.id, ""};
    auto room = rooms_.get(actor.tenant_id, conversation_id, viewer);
    if (!room) return others_.is_member(conversation_id, actor);
    return !actor.id.empty() && !room->my_role().empty();
  }

  bool is_room(const std::string& conversation_id, const ConversationActor& actor) override {
    return rooms_.get(actor.tenant_id, conversation_id, MemberRef{"user", actor.id, ""}).has_value();
  }

 private:
  RoomRepository& rooms_;
  ConversationAccess& others_;
};

}  // namespace botfactory::channel
