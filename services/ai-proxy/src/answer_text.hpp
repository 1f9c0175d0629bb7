#pragma once
// Text helpers of the extractive answerer: word matching, sentences, streaming pieces.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::ai {

/// The distinct content words of `text` as light stems: maximal runs of letters and digits
/// (ASCII, and non-ASCII code points outside punctuation/symbol blocks), lower-cased (ASCII and
/// Cyrillic), at least 3 code points, not a stop word of `language` (en, ru, uz; others use
/// en), cut to their first 5 code points. Order of first appearance.
std::vector<std::string> content_stems(std::string_view text, std::string_view language);

/// True when two stems name the same word: one is a prefix of the other ("spam" ~ "spamm").
bool stems_match(std::string_view a, std::string_view b);

/// How many of `query` stems match some stem of `text_stems`.
std::size_t matched_count(const std::vector<std::string>& query, const std::vector<std::string>& text_stems);

/// The sentences of `text`, trimmed, in order: a sentence ends after '.', '!', '?' or '…'
/// (plus closing quotes/brackets) followed by whitespace, and at every line break.
std::vector<std::string> split_sentences(std::string_view text);

/// Cuts `text` into pieces of about `words_per_piece` words for streaming; whitespace stays
/// with the word before it, so the pieces concatenate to exactly `text`.
std::vector<std::string> stream_pieces(std::string_view text, std::size_t words_per_piece);

/// `text` shortened to at most `max_chars` code points at a word boundary, with "…" appended
/// when cut. Never splits a UTF-8 sequence.
std::string truncate_words(std::string_view text, std::size_t max_chars);

}  // namespace botfactory::ai
