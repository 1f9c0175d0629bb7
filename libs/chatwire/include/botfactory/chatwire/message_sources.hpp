#pragma once
// The `sources` of a bot reply as JSON, shared by the message.new frame (message_event.hpp) and
// the gateway's REST message lists so both write them the same way.

#include <boost/json.hpp>

#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::chatwire {

/// Adds "sources":[{"document_id":"…","document_title":"…","chunk_id":"…"}, …] (keys in this
/// order, entries in citation order: [n] in the text is entry n-1) as the last key of
/// `message_json` when `message` has sources; leaves it untouched otherwise, so the JSON of
/// every other message is unchanged (docs/protocol.md "message.new"). Never throws for valid
/// UTF-8 input.
void append_sources(boost::json::object& message_json, const botfactory::chat::v1::Message& message);

/// Adds to `message` the sources stored as JSON text `stored` (chat.messages.sources: an array
/// of {"document_id","document_title","chunk_id"}); malformed entries are skipped, never thrown.
void parse_sources(std::string_view stored, botfactory::chat::v1::Message& message);

}  // namespace botfactory::chatwire
