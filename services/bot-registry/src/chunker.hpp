#pragma once
// Splitting a document's text blocks into search chunks.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "text_extract.hpp"

namespace botfactory::registry {

/// Byte ranges [begin, end) of the sentences of `text`, covering it completely (each range
/// includes the whitespace after its sentence). A sentence ends after '.', '!', '?', '…' (with
/// closing quotes or brackets) followed by whitespace, or at a line break.
std::vector<std::pair<std::size_t, std::size_t>> sentence_spans(std::string_view text);

/// Packs blocks into chunks of at most `max_chars` Unicode code points. Blocks are joined with
/// a blank line; a heading block always starts a new chunk; a block longer than `max_chars` is
/// split at sentence boundaries, then at spaces, and only as a last resort between code
/// points (never inside a UTF-8 sequence). `max_chars` must be > 0. Input must be valid UTF-8.
std::vector<std::string> chunk_blocks(const std::vector<TextBlock>& blocks, std::size_t max_chars);

}  // namespace botfactory::registry
