#pragma once
// The access port of conversation files (issue 11): who may upload to and read the attachments
// of a conversation. Support conversations: its visitor and the tenant's users. Rooms plug their
// membership check in here (a ConversationAccess of their own).

#include <string>

namespace botfactory::channel {

class ChatStore;

/// Who asks. `tenant_id` is from the token (UUID); a visitor's token names its conversation.
struct ConversationActor {
  std::string tenant_id;
  bool visitor = false;
  std::string id;                       // user id or visitor id (the token's subject)
  std::string visitor_conversation_id;  // visitors: the conversation of their token
};

/// Decides membership. Implementations are thread-safe and may throw pg::Error.
class ConversationAccess {
 public:
  virtual ~ConversationAccess() = default;
  /// True when `actor` is a member of `conversation_id` (which must be a UUID).
  virtual bool is_member(const std::string& conversation_id, const ConversationActor& actor) = 0;
  /// harden2: true when `conversation_id` is a room of actor.tenant_id, whose file messages
  /// repeat the membership (and e2ee key) check inside their append. Default: no room.
  virtual bool is_room(const std::string& conversation_id, const ConversationActor& actor) {
    (void)conversation_id;
    (void)actor;
    return false;
  }
};

/// Support conversations: the conversation belongs to the actor's tenant, and a visitor's token
/// names this very conversation.
class TenantConversationAccess final : public ConversationAccess {
 public:
  explicit TenantConversationAccess(ChatStore& store) : store_(store) {}
  bool is_member(const std::string& conversation_id, const ConversationActor& actor) override;

 private:
  ChatStore& store_;
};

}  // namespace botfactory::channel
