#pragma once
// Text helpers of the extractive answerer: word matching, streaming pieces, truncation. Word
// and sentence splitting live in libs/text (botfactory/text/words.hpp, sentences.hpp).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::ai {

/// The distinct content words of `text` as light stems: its words as text::WordReader reads
/// them (the same words bot-registry searches for; lower-cased, ASCII and Cyrillic) of at
/// least 3 code points, not a stop word of `language` (en, ru, uz; others use en), cut to
/// their first 5 code points. Order of first appearance.
std::vector<std::string> content_stems(std::string_view text, std::string_view language);

/// True when two stems name the same word: one is a prefix of the other ("spam" ~ "spamm").
bool stems_match(std::string_view a, std::string_view b);

/// How many of `query` stems match some stem of `text_stems`.
std::size_t matched_count(const std::vector<std::string>& query, const std::vector<std::string>& text_stems);

/// Cuts `text` into pieces of about `words_per_piece` words for streaming; whitespace stays
/// with the word before it, so the pieces concatenate to exactly `text`.
std::vector<std::string> stream_pieces(std::string_view text, std::size_t words_per_piece);

/// `text` shortened to at most `max_chars` code points at a word boundary, with "…" appended
/// when cut. Never splits a UTF-8 sequence.
std::string truncate_words(std::string_view text, std::size_t max_chars);

}  // namespace botfactory::ai
