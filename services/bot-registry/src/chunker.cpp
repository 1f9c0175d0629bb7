#include "chunker.hpp"

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/text/sentences.hpp"
#include "botfactory/text/utf8.hpp"

namespace botfactory::registry {
namespace {

/// Splits one over-long sentence at spaces, or between code points when a word is too long.
/// Linear in the sentence: each round looks at one window of `max_chars` code points only.
void split_by_words(std::string_view s, std::size_t max_chars, std::vector<std::string>& out) {
  s = common::trim(s);
  for (;;) {
    std::size_t cut = text::utf8_offset(s, max_chars);
    if (cut >= s.size()) break;  // the rest fits
    std::size_t space = cut;
    while (space > 0 && !text::is_ascii_space(s[space])) --space;
    if (space > 0) {
      out.emplace_back(common::trim(s.substr(0, space)));
      s = common::trim(s.substr(space));
    } else {
      out.emplace_back(s.substr(0, cut));
      s = common::trim(s.substr(cut));
    }
  }
  if (!s.empty()) out.emplace_back(s);
}

/// Splits one over-long block into pieces of at most max_chars, at sentence boundaries first.
/// Linear in the block: the length of the piece being built is kept as a running count (of
/// code points, whitespace between sentences included, so a piece may end a little early).
std::vector<std::string> split_long(std::string_view text, std::size_t max_chars) {
  std::vector<std::string> pieces;
  std::size_t begin = std::string_view::npos;
  std::size_t end = 0;
  std::size_t piece_chars = 0;
  auto flush = [&] {
    if (begin != std::string_view::npos) {
      auto piece = common::trim(text.substr(begin, end - begin));
      if (!piece.empty()) pieces.emplace_back(piece);
    }
    begin = std::string_view::npos;
    piece_chars = 0;
  };
  for (auto [s_begin, s_end] : text::sentence_spans(text)) {
    auto span = text.substr(s_begin, s_end - s_begin);
    auto sentence = common::trim(span);
    std::size_t span_chars = common::utf8_length(span);
    if (common::utf8_length(sentence) > max_chars) {
      flush();
      split_by_words(sentence, max_chars, pieces);
      continue;
    }
    if (begin != std::string_view::npos && piece_chars + common::utf8_length(sentence) > max_chars) {
      flush();
    }
    if (begin == std::string_view::npos) begin = s_begin;
    end = s_end;
    piece_chars += span_chars;
  }
  flush();
  return pieces;
}

}  // namespace

std::vector<std::string> chunk_blocks(const std::vector<TextBlock>& blocks, std::size_t max_chars) {
  std::vector<std::string> chunks;
  std::string current;
  std::size_t current_chars = 0;
  auto flush = [&] {
    if (!current.empty()) chunks.push_back(std::move(current));
    current.clear();
    current_chars = 0;
  };
  std::size_t seen = 0;
  for (const auto& block : blocks) {
    // A caller that gave up does not wait for a large document's chunks.
    if (++seen % 256 == 0) common::throw_if_call_abandoned();
    if (block.heading) flush();
    std::vector<std::string> pieces;
    if (common::utf8_length(block.text) <= max_chars) {
      pieces.push_back(block.text);
    } else {
      pieces = split_long(block.text, max_chars);
    }
    for (auto& piece : pieces) {
      std::size_t chars = common::utf8_length(piece);
      std::size_t separator = current.empty() ? 0 : 2;
      if (current_chars + separator + chars > max_chars) {
        flush();
        separator = 0;
      }
      if (separator) current += "\n\n";
      current += piece;
      current_chars += separator + chars;
    }
  }
  flush();
  return chunks;
}

}  // namespace botfactory::registry
