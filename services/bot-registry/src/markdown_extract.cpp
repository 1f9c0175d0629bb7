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

/// `line` without its line end.
std::string_view common_trimmed_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}
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

/// A fence opener or closer (CommonMark 0.30 section 4.5): up to three spaces, then at least
/// three '`' or '~'. Returns the fence character and sets `length`; 0 when the line is none.
char fence_of(std::string_view line, std::size_t& length) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return 0;
  char c = line[i];
  std::size_t j = i;
  while (j < line.size() && line[j] == c) ++j;
  length = j - i;
  return length >= 3 ? c : 0;
}

bool is_blank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

/// Byte position at most `limit` into `text` where a forced cut does not split a UTF-8
/// sequence: after the last space or line feed in the second half, else at a code point start.
std::size_t cut_position(std::string_view text, std::size_t limit) {
  for (std::size_t i = limit; i > limit / 2; --i) {
    if (text[i - 1] == '\n' || text[i - 1] == ' ') return i;
  }
  std::size_t i = limit;
  while (i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
  return i;
}

/// Calls `parse` with consecutive pieces of `markdown` so that md4c, whose memory grows with
/// the size of the block it parses (about 60 bytes per byte of a run of '['), never sees more
/// than kMaxSegmentBytes at once. Pieces end at a blank line outside fenced code once they
/// reach kSegmentTargetBytes (so blocks stay whole in ordinary documents; a reference link
/// and its definition in different pieces shows as its text in brackets); a block longer than
/// kMaxSegmentBytes is cut at a line end or space, and a fenced code block so cut is reopened
/// with its fence in the next piece.
template <typename Parse>
void for_each_segment(std::string_view markdown, Parse&& parse) {
  constexpr std::size_t kSegmentTargetBytes = 64 << 10;
  constexpr std::size_t kMaxSegmentBytes = 512 << 10;
  std::size_t begin = 0;
  std::size_t pos = 0;
  char fence = 0;
  std::size_t fence_length = 0;
  std::string fence_line;  // the opener of the fence open at `pos`, to reopen it after a cut
  std::string reopened;    // a piece that starts with a reopened fence
  bool reopen = false;
  auto emit = [&](std::size_t end) {
    auto piece = markdown.substr(begin, end - begin);
    if (reopen) {
      reopened = fence_line;
      reopened += '\n';
      reopened.append(piece);
      parse(std::string_view(reopened));
    } else {
      parse(piece);
    }
    begin = end;
    reopen = false;
  };
  while (pos < markdown.size()) {
    auto newline = markdown.find('\n', pos);
    std::size_t end = newline == std::string_view::npos ? markdown.size() : newline + 1;
    if (end - begin > kMaxSegmentBytes) {
      // No break point in time: cut here (at the line start if there is one, else inside it).
      std::size_t cut = pos > begin ? pos : begin + cut_position(markdown.substr(begin), kMaxSegmentBytes);
      bool in_fence = fence != 0;
      emit(cut);
      reopen = in_fence;
      pos = cut;
      continue;
    }
    auto line = markdown.substr(pos, end - pos);
    std::size_t length = 0;
    char marker = fence_of(line, length);
    if (fence == 0 && marker != 0) {
      fence = marker;
      fence_length = length;
      fence_line = std::string(common_trimmed_line(line));
    } else if (fence != 0 && marker == fence && length >= fence_length) {
      fence = 0;
    } else if (fence == 0 && is_blank(line) && end - begin >= kSegmentTargetBytes) {
      pos = end;
      emit(end);
      continue;
    }
    pos = end;
  }
  if (begin < markdown.size() || markdown.empty()) emit(markdown.size());
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
  // md4c 0.4.8 (Debian 12) reads up to 2 bytes past the end of its input, e.g. for a document
  // ending in "[](" (found by tests/fuzz text_extract): it parses a copy followed by NULs, so
  // those reads stay in our buffer and are deterministic (a NUL is dropped as a control byte).
  constexpr std::size_t kMd4cPadding = 16;
  std::string padded;
  for_each_segment(markdown, [&](std::string_view segment) {
    padded.assign(segment);
    padded.append(kMd4cPadding, '\0');
    if (md_parse(padded.data(), static_cast<MD_SIZE>(segment.size()), &parser, &state) != 0) {
      throw ExtractError("the Markdown document could not be parsed");
    }
  });
  return state.builder.finish();
}

}  // namespace botfactory::registry
