#pragma once
// The tenant inbox (docs/protocol.md, "Inbox"; docs/api.md, "GET /api/v1/conversations"): one
// Redis channel per tenant, `chat:conv:inbox:<tenant_id>`, carrying a `conversation.updated`
// event whenever a conversation of the tenant gets a message, changes handler / waiting, or is
// created. The gateway's fan-out hub subscribes it like a conversation channel (key
// "inbox:<tenant_id>"), and REST lists use the same item shape.

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::chatwire {

/// Code points of a message's text shown in the inbox (LastMessage.preview).
inline constexpr std::size_t kPreviewCodePoints = 120;

/// The fan-out key of a tenant's inbox: "inbox:<tenant_id>" (conversation ids are UUIDs, so no
/// key collides); its Redis channel is conversation_channel(key) = "chat:conv:inbox:<tenant_id>".
std::string inbox_key(std::string_view tenant_id);

/// The first kPreviewCodePoints code points of `text` (valid UTF-8 in, valid UTF-8 out).
std::string message_preview(std::string_view text);

/// One inbox item: {"id","bot_id","channel","visitor":{"kind":"visitor","id","name"},
/// "handler":"bot"|"human","waiting_for_human","last_seq","created_at","updated_at",
/// "last_message":{"seq","sender_kind","preview","created_at"} or null}. Timestamps RFC 3339
/// UTC. The REST list adds "bot_name", "read_seq" and "unread_count" (per user).
boost::json::object inbox_item(const botfactory::chat::v1::Conversation& conversation);

/// {"type":"conversation.updated","conversation":inbox_item(conversation)}. Never throws for
/// valid UTF-8 input.
std::string encode_conversation_updated(const botfactory::chat::v1::Conversation& conversation);

}  // namespace botfactory::chatwire
