// Fuzz target: knowledge text extraction (services/bot-registry/src/text_extract.*), which turns
// an uploaded document into text blocks for the chunker. Kept to the public entry points so it
// follows the implementation behind them.
// Input: byte 0 picks the format (plain text, Markdown, HTML, entity decoding); the rest is the
// document. Properties: no crash, no stack exhaustion, no timeout; a UTF-8 document gives UTF-8
// blocks; the output is at most 4 times as long as the input (linear, no blow-up); a refusal is a
// std::runtime_error with a message (ExtractError), nothing else is thrown.
// The document is copied to the end of a page followed by an inaccessible guard page, so a
// library that is not instrumented (md4c, libxml2 as Debian builds them) reading past the end of
// its input faults at once instead of reading whatever follows on the heap.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "botfactory/common/text.hpp"
#include "fuzz_check.hpp"
#include "text_extract.hpp"

namespace registry = botfactory::registry;

namespace {

constexpr std::size_t kGuardedCapacity = 64 << 10;  // above the -max_len of scripts/fuzz.sh
char* g_guarded_end = nullptr;                      // first byte of the guard page

/// `document` copied so that its last byte is the last readable byte before the guard page
/// (the document itself when it is larger than the guarded area).
std::string_view guarded(std::string_view document) {
  if (g_guarded_end == nullptr || document.size() > kGuardedCapacity) return document;
  char* start = g_guarded_end - document.size();
  std::copy(document.begin(), document.end(), start);
  return {start, document.size()};
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t usable = (kGuardedCapacity + page - 1) / page * page;
  void* area = ::mmap(nullptr, usable + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
  FUZZ_CHECK(area != MAP_FAILED);
  auto* base = static_cast<char*>(area);
  FUZZ_CHECK(::mprotect(base + usable, page, PROT_NONE) == 0);
  g_guarded_end = base + usable;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view document =
      guarded(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
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
  // Linear: at most 4 output bytes per input byte (md4c expands a tab of code indentation to up
  // to 4 spaces; a NUL or a byte read as Latin-1 becomes 2-3 bytes of UTF-8).
  FUZZ_CHECK(out_bytes <= 4 * document.size() + 64);
  return 0;
}
