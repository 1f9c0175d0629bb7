#pragma once
// The chat events that travel on Redis channel `chat:conv:<conversation_id>` and, unchanged, as
// WebSocket text frames (docs/architecture.md "Redis payloads"). channel-connector encodes them
// for live publishing and the gateway for replays, so both produce byte-identical frames.

#include <cstdint>
#include <string>
#include <string_view>

#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::chatwire {

/// The Redis channel of one conversation: "chat:conv:<conversation_id>".
std::string conversation_channel(std::string_view conversation_id);

/// Wire name of a sender kind: "visitor", "bot" or "operator"; "unknown" for anything else.
std::string_view sender_kind_name(botfactory::common::v1::SenderKind kind);

/// The inverse of sender_kind_name: "visitor" / "bot" / "operator" (as stored in
/// chat.messages.sender_kind) → the kind; anything else → SENDER_KIND_UNSPECIFIED.
botfactory::common::v1::SenderKind sender_kind_from_name(std::string_view name);

/// The `message.new` frame of a committed message:
/// {"type":"message.new","conversation_id":"…","seq":N,"message":{"id":"…","sender":{"kind":"…",
/// "id":"…","name":"…"},"text":"…","created_at":"RFC 3339 UTC with milliseconds"}}, plus
/// "edited_at" / "deleted":true, "deleted_at" after "created_at" when the message was edited /
/// deleted (message_change_event.hpp), and
/// "sources":[{"document_id","document_title","chunk_id"}, …] as the message's last key when
/// it has sources (message_sources.hpp), and "event":"member.joined|left|removed|role" last for
/// a room's membership event (rooms.proto). Keys always in this order; strings JSON-escaped (quotes, backslashes, control characters),
/// non-ASCII UTF-8 written as is. Never throws for valid UTF-8 input.
std::string encode_message_new(const botfactory::chat::v1::Message& message);

/// The ephemeral `message.delta` frame of a reply being generated (no seq):
/// {"type":"message.delta","conversation_id":"…","reply_to_seq":N,"delta":"…"}.
/// `reply_to_seq` is the seq of the message being answered (a visitor message or an /ai command).
std::string encode_message_delta(std::string_view conversation_id, std::int64_t reply_to_seq,
                                 std::string_view delta);

}  // namespace botfactory::chatwire
