#pragma once
// Splitting a document's text blocks into search chunks.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "text_extract.hpp"

namespace botfactory::registry {

/// Packs blocks into chunks of at most `max_chars` Unicode code points. Blocks are joined with
/// a blank line; a heading block always starts a new chunk; a block longer than `max_chars` is
/// split at sentence boundaries (text::sentence_spans), then at spaces, and only as a last
/// resort between code points (never inside a UTF-8 sequence). `max_chars` must be > 0. Input
/// must be valid UTF-8. Linear in the input. Throws common::CallAbandoned when the gRPC call it
/// serves was given up by its caller (checked every 256 blocks).
std::vector<std::string> chunk_blocks(const std::vector<TextBlock>& blocks, std::size_t max_chars);

}  // namespace botfactory::registry
