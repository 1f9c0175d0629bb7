// Markdown → blocks through md4c (https://github.com/mity/md4c, Debian libmd4c-dev): a
// push parser whose callbacks only append to a BlockBuilder, so nothing here recurses or looks
// back. md4c keeps its own container stack on the heap and is linear on the pathological
// inputs it documents (nested brackets, emphasis runs, deep quotes and lists).
#include <cstdint>
#include <limits>
#include <string>

#include <md4c.h>

#include "block_builder.hpp"
#include "text_extract.hpp"

namespace botfactory::registry {
namespace {

struct MarkdownState {
  BlockBuilder builder;
  int code_blocks = 0;  // > 0 inside an indented or fenced code block
  int html_blocks = 0;  // > 0 inside a raw HTML block
  bool in_tag = false;  // inside a tag of a raw HTML block (tags dropped, text kept)
};

MarkdownState& state_of(void* userdata) { return *static_cast<MarkdownState*>(userdata); }

/// Block boundaries: every block type ends the text before it; headings start a heading block.
int enter_block(MD_BLOCKTYPE type, void*, void* userdata) {
  auto& s = state_of(userdata);
  switch (type) {
    case MD_BLOCK_DOC:
      break;
    case MD_BLOCK_H:
      s.builder.start_heading();
      break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      s.builder.space();
      break;
    case MD_BLOCK_CODE:
      s.builder.end_block();
      ++s.code_blocks;
      break;
    case MD_BLOCK_HTML:
      s.builder.end_block();
      ++s.html_blocks;
      s.in_tag = false;
      break;
    default:  // quote, lists, list items, hr, paragraphs, tables and their rows
      s.builder.end_block();
      break;
  }
  return 0;
}

int leave_block(MD_BLOCKTYPE type, void*, void* userdata) {
  auto& s = state_of(userdata);
  switch (type) {
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      s.builder.space();
      break;
    case MD_BLOCK_CODE:
      --s.code_blocks;
      s.builder.end_block();
      break;
    case MD_BLOCK_HTML:
      --s.html_blocks;
      s.builder.end_block();
      break;
    default:
      s.builder.end_block();
      break;
  }
  return 0;
}

int enter_span(MD_SPANTYPE, void*, void*) { return 0; }
int leave_span(MD_SPANTYPE, void*, void*) { return 0; }

/// The text of a raw HTML block without its tags: one pass, the tag state kept across calls.
void html_block_text(MarkdownState& s, std::string_view text) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (s.in_tag) {
      if (c == '>') {
        s.in_tag = false;
        start = i + 1;
      }
    } else if (c == '<') {
      s.builder.text(text.substr(start, i - start));
      s.builder.space();
      s.in_tag = true;
    }
  }
  if (!s.in_tag && start < text.size()) s.builder.text(text.substr(start));
}

int on_text(MD_TEXTTYPE type, const MD_CHAR* data, MD_SIZE size, void* userdata) {
  auto& s = state_of(userdata);
  std::string_view text(data, size);
  switch (type) {
    case MD_TEXT_NULLCHAR:
    case MD_TEXT_SOFTBR:
    case MD_TEXT_BR:
      if (s.code_blocks > 0) {
        s.builder.verbatim("\n");
      } else {
        s.builder.space();
      }
      break;
    case MD_TEXT_ENTITY:
      s.builder.text(decode_html_entities(text));
      break;
    case MD_TEXT_HTML:
      if (s.html_blocks > 0) {
        html_block_text(s, text);
      } else {
        s.builder.space();  // an inline tag: dropped
      }
      break;
    case MD_TEXT_CODE:
      if (s.code_blocks > 0) {
        s.builder.verbatim(text);
      } else {
        s.builder.text(text);
      }
      break;
    default:  // normal text, LaTeX math
      s.builder.text(text);
      break;
  }
  return 0;
}

/// Number of container markers (block quote '>', list item "- ", "* ", "+ ", "1. ", "1) ")
/// that open `line`, each optionally indented by up to three spaces (CommonMark 0.30 sections
/// 5.1, 5.2). Stops at the first byte that is neither.
std::size_t container_prefix_depth(std::string_view line) {
  std::size_t depth = 0;
  std::size_t i = 0;
  const std::size_t n = line.size();
  for (;;) {
    std::size_t indent = 0;
    while (i < n && line[i] == ' ' && indent < 3) ++i, ++indent;
    if (i >= n) return depth;
    char c = line[i];
    if (c == '>') {
      ++i;
    } else if ((c == '-' || c == '*' || c == '+') && i + 1 < n && (line[i + 1] == ' ' || line[i + 1] == '\t')) {
      i += 2;
    } else if (c >= '0' && c <= '9') {
      std::size_t j = i;
      while (j < n && j - i < 9 && line[j] >= '0' && line[j] <= '9') ++j;
      if (j + 1 < n && (line[j] == '.' || line[j] == ')') && (line[j + 1] == ' ' || line[j + 1] == '\t')) {
        i = j + 2;
      } else {
        return depth;
      }
    } else {
      return depth;
    }
    ++depth;
  }
}

}  // namespace

std::vector<TextBlock> markdown_to_blocks(std::string_view markdown) {
  if (markdown.size() >= std::numeric_limits<MD_SIZE>::max()) {
    throw ExtractError("the Markdown document is too large");
  }
  // md4c keeps one container record per open quote / list level: 8 MiB of "> > > ..." would
  // cost it hundreds of MiB (measured, docs/benchmarks.md). Deeper nesting than any real
  // document uses is refused up front, in one linear pass.
  for (std::size_t start = 0; start < markdown.size();) {
    auto end = markdown.find('\n', start);
    if (end == std::string_view::npos) end = markdown.size();
    if (container_prefix_depth(markdown.substr(start, end - start)) > kMaxMarkdownNesting) {
      throw ExtractError("the Markdown document nests quotes or lists deeper than " +
                         std::to_string(kMaxMarkdownNesting) + " levels");
    }
    start = end + 1;
  }
  MarkdownState state;
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_DIALECT_GITHUB;
  parser.enter_block = enter_block;
  parser.leave_block = leave_block;
  parser.enter_span = enter_span;
  parser.leave_span = leave_span;
  parser.text = on_text;
  if (md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, &state) != 0) {
    throw ExtractError("the Markdown document could not be parsed");
  }
  return state.builder.finish();
}

}  // namespace botfactory::registry
