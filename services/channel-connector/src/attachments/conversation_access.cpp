#include "attachments/conversation_access.hpp"

#include "chat/chat_store.hpp"

namespace botfactory::channel {

bool TenantConversationAccess::is_member(const std::string& conversation_id,
                                         const ConversationActor& actor) {
  if (actor.visitor && actor.visitor_conversation_id != conversation_id) return false;
  return store_.get(conversation_id, actor.tenant_id).has_value();
}

}  // namespace botfactory::channel
