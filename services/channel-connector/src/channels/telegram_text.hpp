#pragma once
// Outbound text for Telegram: the reply with its sources list, split into sendMessage-sized parts.
// Plain text (no parse_mode), so nothing needs escaping
// (https://core.telegram.org/bots/api#formatting-options applies only with a parse mode).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>


namespace botfactory::channel {

/// A cited knowledge-base document (a reply's Message.sources entry), as the list shows it.
struct CitedSource {
  std::string document_id;
  std::string document_title;
};

/// sendMessage's text limit: 1-4096 characters after entities parsing
/// (https://core.telegram.org/bots/api#sendmessage); Telegram counts text in UTF-16 code units
/// (https://core.telegram.org/api/entities#entity-length).
inline constexpr std::size_t kTelegramMaxTextUnits = 4096;

/// UTF-16 code units of UTF-8 `text` (a code point above U+FFFF counts 2; each byte of a
/// malformed sequence counts 1).
std::size_t utf16_units(std::string_view text);

/// `text` followed by a short sources list when `sources` is non-empty:
/// "\n\nSources:\n[1] <title>\n[2] <title>" (n matches the [n] citations; an empty title shows as
/// "document <id>"). The heading is in the bot's `language` (bot_phrases.hpp sources_heading:
/// en, ru, uz; anything else English). Duplicated titles are listed once per source index. No
/// list when the text has no "[1]" citation and already names every source's title (the
/// extractive answer's `Source: “<title>”` line).
std::string render_with_sources(std::string_view text, const std::vector<CitedSource>& sources,
                                std::string_view language = "en");

/// Splits UTF-8 `text` into parts of at most `max_units` UTF-16 code units (≥ 16), preferring
/// the last paragraph break, then sentence end (". ", "! ", "? ", "。" and the like followed by
/// space), then line break, then space inside the window, else a code-point boundary. Parts are
/// trimmed of the whitespace they were split at; no part is empty. Empty `text` → no parts.
std::vector<std::string> split_message(std::string_view text,
                                       std::size_t max_units = kTelegramMaxTextUnits);

}  // namespace botfactory::channel
