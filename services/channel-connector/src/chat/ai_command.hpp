#pragma once
// The `/ai <question>` chat command (docs/protocol.md "The /ai command"): any participant of a
// conversation asks the bot's model directly.

#include <optional>
#include <string>
#include <string_view>

namespace botfactory::channel {

/// When `text` is an /ai command, its question (UTF-8, trimmed; empty for a bare "/ai", which
/// gets the usage hint); std::nullopt otherwise. A command is a message whose text, after
/// trimming, starts with "/ai" in any ASCII case ("/ai", "/AI", "/Ai") followed by the end of
/// the text or ASCII whitespace (space, tab, CR, LF): "/ai what is X?" asks "what is X?", while
/// "/aid", "/ai," and "ask /ai" are ordinary messages. Never throws.
std::optional<std::string> parse_ai_command(std::string_view text);

/// The bot message's client_id for an /ai command message `message_id`: "bot-ai-<message_id>"
/// (ordinary replies use "bot-reply-<message_id>").
std::string ai_reply_client_id(std::string_view message_id);

}  // namespace botfactory::channel
