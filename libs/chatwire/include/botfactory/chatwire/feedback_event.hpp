#pragma once
// The `message.feedback` event (docs/protocol.md "Answer feedback"): a visitor rated, re-rated
// or cleared the rating of a bot reply. Published by the gateway on `chat:conv:<conversation_id>`
// after channel-connector stored it (rest/feedback_rest.cpp); like typing it carries no seq of
// the stream, is not stored and not replayed (a client that missed it reads
// GET /api/v1/conversations/{id}/feedback).

#include <string>
#include <string_view>

#include "botfactory/chat/v1/feedback.pb.h"

namespace botfactory::chatwire {

/// {"type":"message.feedback","conversation_id":"…","seq":N,"rating":"up"|"down"|null,
///  "comment":"…" ("" when none),"updated_at":"<RFC 3339 UTC, ms>"|null}: `feedback` as
/// SetMessageFeedback answered it (rating null and updated_at null after a clear), the same
/// fields as the REST answer of PUT …/messages/{seq}/feedback. Never throws.
std::string encode_message_feedback(std::string_view conversation_id,
                                    const botfactory::chat::v1::MessageFeedback& feedback);

}  // namespace botfactory::chatwire
