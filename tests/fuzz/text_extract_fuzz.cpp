// Fuzz target: knowledge text extraction (services/bot-registry/src/text_extract.*), which turns
// an uploaded document into text blocks for the chunker. Kept to the public entry points so it
// follows the implementation behind them.
// Input: byte 0 picks the format (plain text, Markdown, HTML, entity decoding); the rest is the
// document. Properties: no crash, no stack exhaustion, no timeout; a UTF-8 document gives UTF-8
// blocks; the output is at most about as long as the input (linear, no blow-up); a refusal is a
// std::runtime_error with a message (ExtractError), nothing else is thrown.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "botfactory/common/text.hpp"
#include "fuzz_check.hpp"
#include "text_extract.hpp"

namespace registry = botfactory::registry;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view document(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool utf8 = botfactory::common::is_valid_utf8(document);
  std::size_t out_bytes = 0;
  if (data[0] % 4 == 3) {
    std::string decoded = registry::decode_html_entities(document);
    if (utf8) FUZZ_CHECK(botfactory::common::is_valid_utf8(decoded));
    out_bytes = decoded.size();
  } else {
    std::vector<registry::TextBlock> blocks;
    try {
      switch (data[0] % 4) {
        case 0: blocks = registry::plain_to_blocks(document); break;
        case 1: blocks = registry::markdown_to_blocks(document); break;
        default: blocks = registry::html_to_blocks(document); break;
      }
    } catch (const std::runtime_error& refused) {  // a documented refusal (ExtractError)
      FUZZ_CHECK(refused.what()[0] != '\0');
      return 0;
    }
    for (const auto& block : blocks) {
      if (utf8) FUZZ_CHECK(botfactory::common::is_valid_utf8(block.text));
      out_bytes += block.text.size();
    }
  }
  FUZZ_CHECK(out_bytes <= 2 * document.size() + 64);
  return 0;
}
