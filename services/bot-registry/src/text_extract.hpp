#pragma once
// Turning an uploaded knowledge document (plain text, Markdown, HTML) into plain-text blocks.

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

/// Plain text: paragraphs separated by blank lines; single line breaks inside a paragraph are
/// kept; CRLF normalised; each line right-trimmed.
std::vector<TextBlock> plain_to_blocks(std::string_view text);

/// Markdown (CommonMark subset): ATX and setext headings become heading blocks; emphasis,
/// code and strike-through markers, heading hashes, blockquote markers, list bullets, table
/// pipes and inline HTML tags are dropped; `[text](url)`, `[text][ref]` and `![alt](url)` keep
/// only their text; reference definitions and horizontal rules are dropped; fenced code is kept
/// verbatim. Entities are decoded as in HTML.
std::vector<TextBlock> markdown_to_blocks(std::string_view markdown);

/// HTML: tags removed, the content of script/style/noscript/template/head/svg dropped,
/// comments removed, block-level elements (p, div, li, tr, br, h1..h6, ...) end a block, h1..h6
/// give heading blocks, whitespace collapsed, entities decoded (decode_html_entities).
std::vector<TextBlock> html_to_blocks(std::string_view html);

/// Decodes &amp; &lt; &gt; &quot; &#39; &apos; &nbsp; (as a plain space), a few typographic
/// named entities (dashes, quotes, ellipsis, guillemets) and numeric references (&#NNN; and
/// &#xHH;). Unknown or malformed references, and numeric ones naming a surrogate, zero or a
/// code point above U+10FFFF, are kept as written.
std::string decode_html_entities(std::string_view text);

}  // namespace botfactory::registry
