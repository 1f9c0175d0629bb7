#pragma once
// The JSON bodies of outgoing webhook events (docs/api.md "Outgoing webhooks"): an envelope
// {"event", "tenant_id", "created_at" (RFC 3339 UTC), "data": {...}}; the data of each event is
// documented there. All text is UTF-8 as stored.

#include <cstdint>
#include <string>

#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::channel {

/// `message.created`: data {bot_id, conversation_id, channel, message_id, seq,
/// author {role: visitor|bot|operator, id, name}, text, created_at}.
std::string message_created_payload(const chat::v1::Conversation& conversation,
                                    const chat::v1::Message& message);
/// `conversation.created`: data {bot_id, conversation_id, channel, visitor {id, name}, created_at}.
std::string conversation_created_payload(const chat::v1::Conversation& conversation);
/// `handoff.requested` (the visitor asked for a person) at `now_us`: data {bot_id,
/// conversation_id, channel, visitor {id, name}, handler}.
std::string handoff_requested_payload(const chat::v1::Conversation& conversation,
                                      std::int64_t now_us);
/// `webhook.test` at `now_us`: data {endpoint_id, message}.
std::string webhook_test_payload(const std::string& tenant_id, const std::string& endpoint_id,
                                 std::int64_t now_us);

}  // namespace botfactory::channel
