#pragma once
// Turning an uploaded knowledge document (plain text, Markdown, HTML, PDF) into plain-text
// blocks. Markdown is parsed by md4c, HTML by libxml2's HTML parser in SAX mode (no tree), PDF
// by poppler; this file only maps their events to blocks. Every function is linear in its input
// (bench/run_extract.sh, docs/benchmarks.md) and never recurses on the document's nesting, so
// deep nesting, unbalanced brackets and long runs of '<' or '&' cost neither stack nor more
// than linear time. The caller checks the raw size before calling (BotRegistry::add_document).
// Output text is valid UTF-8 without NUL or other C0 control characters (tab and line feed
// aside).

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::registry {

/// One paragraph-like unit of a document. Headings start a new chunk in the chunker, so a
/// heading and the paragraphs under it (an FAQ question and its answer) stay together.
struct TextBlock {
  std::string text;
  bool heading = false;
};

/// A document the extractor refuses; what() is a client-facing message (e.g. "the PDF has no
/// text layer"). BotRegistry answers it with INVALID_ARGUMENT.
class ExtractError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Plain text: paragraphs separated by blank lines; single line breaks inside a paragraph are
/// kept; CRLF normalised; each line right-trimmed.
std::vector<TextBlock> plain_to_blocks(std::string_view text);

/// Block quotes and list items nested deeper than this on one line are refused (md4c's memory).
inline constexpr std::size_t kMaxMarkdownNesting = 100;

/// Markdown (CommonMark with GitHub tables, strike-through and autolinks, md4c 0.4): headings
/// become heading blocks; paragraphs, list items, block quotes' paragraphs, table rows and code
/// blocks are blocks; emphasis, code and link markup is dropped and link/image text kept;
/// reference definitions and rules are dropped; code block text is kept verbatim; raw HTML tags
/// are dropped; entities are decoded (decode_html_entities). Input: UTF-8 of at most 4 GiB.
/// Throws ExtractError when a line opens more than kMaxMarkdownNesting quotes/list items, or
/// md4c fails (out of memory).
std::vector<TextBlock> markdown_to_blocks(std::string_view markdown);

/// HTML (libxml2's HTML 4 parser with error recovery, input read as UTF-8 whatever a <meta>
/// says): the content of script/style/noscript/template/head/title/svg is dropped, block-level
/// elements (p, div, li, tr, br, h1..h6, ...) end a block, h1..h6 give heading blocks, table
/// cells are separated by a space, whitespace is collapsed, entities decoded by the parser,
/// comments dropped. Throws ExtractError for input of 2 GiB or more.
std::vector<TextBlock> html_to_blocks(std::string_view html);

/// Limits of PDF extraction.
struct PdfLimits {
  int max_pages = 2000;                    // more pages → ExtractError
  std::size_t max_text_bytes = 16 << 20;   // more extracted UTF-8 → ExtractError
  int cpu_seconds = 10;                    // the reader's CPU time (RLIMIT_CPU)
  std::size_t memory_bytes = std::size_t{1} << 30;  // address space the reader may add (RLIMIT_AS)
  std::chrono::milliseconds timeout{20000};          // wall clock, also capped by the call deadline
};

/// PDF text layer (poppler-cpp, reading order), each page split into paragraphs like
/// plain_to_blocks. poppler runs in a forked child process limited to `limits.cpu_seconds` of
/// CPU and `limits.memory_bytes` of address space, killed after `limits.timeout` or when the
/// gRPC call this thread serves is given up (then common::CallAbandoned). ExtractError when the
/// data is not a PDF poppler can open ("not a valid PDF"), is encrypted, has more than
/// `limits.max_pages` pages, has no text at all ("no text layer", e.g. a scan), yields more
/// than `limits.max_text_bytes`, or the reader hits a limit or crashes.
std::vector<TextBlock> pdf_to_blocks(std::string_view pdf, const PdfLimits& limits = {});

/// Decodes &amp; &lt; &gt; &quot; &#39; &apos; &nbsp; (as a plain space), a few typographic
/// named entities (dashes, quotes, ellipsis, guillemets) and numeric references (&#NNN; and
/// &#xHH;). Unknown or malformed references, and numeric ones naming a surrogate, zero or a
/// code point above U+10FFFF, are kept as written. Linear: a reference is at most 12 bytes.
std::string decode_html_entities(std::string_view text);

}  // namespace botfactory::registry
