#pragma once
// The `message.edited` / `message.deleted` events of the seq stream (issue 11, docs/protocol.md
// "Editing and deleting"): published by channel-connector on `chat:conv:<conversation_id>` and
// encoded by the gateway for replays, byte-identical.

#include <string>

#include <boost/json.hpp>

#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::chatwire {

/// The frame of an edit / delete event (chat.v1 Message with event "edited" or "deleted"):
/// {"type":"message.edited"|"message.deleted","conversation_id":"…","seq":N (the event's own),
/// "target_seq":M,"message":{"id","sender":{kind,id,name},"text","created_at"[,"edited_at"]
/// [,"deleted":true,"deleted_at"]}}: the target message's state after the change (a tombstone
/// has text ""). Keys in this order; times RFC 3339 UTC with milliseconds.
/// True when `message` is an edit / delete event of the seq stream (Message.event "edited" or
/// "deleted", target_seq > 0), not a chat message nor a room's membership event ("member.*").
bool is_change_event(const botfactory::chat::v1::Message& message);

std::string encode_message_change(const botfactory::chat::v1::Message& event);

/// roomcore: the frame of any seq-stream entry as replays send it: encode_message_change() for
/// an edit / delete event (is_change_event), else encode_message_new() (messages and a room's
/// membership events), byte-identical to the live frame.
std::string encode_stream_entry(const botfactory::chat::v1::Message& entry);

/// Adds "edited_at" and, for a tombstone, "deleted":true and "deleted_at" to a message body
/// object (after "created_at"), when set. Used by encode_message_new and encode_message_change.
void append_edit_state(boost::json::object& body, const botfactory::chat::v1::Message& message);

}  // namespace botfactory::chatwire
