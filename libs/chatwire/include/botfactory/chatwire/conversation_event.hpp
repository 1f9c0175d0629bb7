#pragma once
// Ephemeral conversation events on Redis channel `chat:conv:<conversation_id>` that are not
// messages: the takeover state and typing (docs/protocol.md, "Takeover" and "Typing"). Like
// message.delta they carry no seq, are not stored and not replayed.

#include <string>
#include <string_view>

namespace botfactory::chatwire {

/// {"type":"conversation.state","conversation_id":"…","handler":"bot"|"human",
///  "waiting_for_human":true|false}: who answers the conversation now. Never throws.
std::string encode_conversation_state(std::string_view conversation_id, std::string_view handler,
                                      bool waiting_for_human);

/// {"type":"typing","conversation_id":"…","state":"start"|"stop","sender":{"kind":"visitor"|
///  "operator"|"bot","id":"…","name":"…"}}: a participant started or stopped typing. Never throws.
std::string encode_typing(std::string_view conversation_id, bool typing, std::string_view kind,
                          std::string_view sender_id, std::string_view sender_name);

}  // namespace botfactory::chatwire
