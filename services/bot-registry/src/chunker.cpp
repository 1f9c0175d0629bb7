#include "chunker.hpp"

#include "botfactory/common/text.hpp"

namespace botfactory::registry {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
// Closing marks that may follow a sentence terminator: » ” ’
constexpr std::string_view kClosingMarks[] = {"\xC2\xBB", "\xE2\x80\x9D", "\xE2\x80\x99"};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/// Byte offset just after the first `count` code points of `s` (s.size() if it is shorter).
std::size_t offset_of_code_point(std::string_view s, std::size_t count) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == count) return i;
      ++seen;
    }
  }
  return s.size();
}

/// Splits one over-long sentence at spaces, or between code points when a word is too long.
void split_by_words(std::string_view s, std::size_t max_chars, std::vector<std::string>& out) {
  s = common::trim(s);
  while (common::utf8_length(s) > max_chars) {
    std::size_t cut = offset_of_code_point(s, max_chars);
    std::size_t space = cut;
    while (space > 0 && !is_space(s[space])) --space;
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
std::vector<std::string> split_long(std::string_view text, std::size_t max_chars) {
  std::vector<std::string> pieces;
  std::size_t begin = std::string_view::npos;
  std::size_t end = 0;
  auto flush = [&] {
    if (begin != std::string_view::npos) {
      auto piece = common::trim(text.substr(begin, end - begin));
      if (!piece.empty()) pieces.emplace_back(piece);
    }
    begin = std::string_view::npos;
  };
  for (auto [s_begin, s_end] : sentence_spans(text)) {
    auto sentence = common::trim(text.substr(s_begin, s_end - s_begin));
    if (common::utf8_length(sentence) > max_chars) {
      flush();
      split_by_words(sentence, max_chars, pieces);
      continue;
    }
    if (begin != std::string_view::npos &&
        common::utf8_length(common::trim(text.substr(begin, s_end - begin))) > max_chars) {
      flush();
    }
    if (begin == std::string_view::npos) begin = s_begin;
    end = s_end;
  }
  flush();
  return pieces;
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> sentence_spans(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  const std::size_t n = text.size();
  std::size_t start = 0;
  std::size_t i = 0;
  auto close_at = [&](std::size_t j) {
    while (j < n && is_space(text[j])) ++j;
    spans.emplace_back(start, j);
    start = j;
    i = j;
  };
  while (i < n) {
    char c = text[i];
    if (c == '\n') {
      close_at(i + 1);
      continue;
    }
    std::size_t terminal = 0;
    if (c == '.' || c == '!' || c == '?') {
      terminal = 1;
    } else if (text.substr(i, kEllipsis.size()) == kEllipsis) {
      terminal = kEllipsis.size();
    }
    if (terminal == 0) {
      ++i;
      continue;
    }
    std::size_t j = i + terminal;
    while (j < n && (text[j] == '.' || text[j] == '!' || text[j] == '?')) ++j;
    for (bool more = true; more && j < n;) {
      more = false;
      if (text[j] == '"' || text[j] == '\'' || text[j] == ')' || text[j] == ']') {
        ++j;
        more = true;
        continue;
      }
      for (auto mark : kClosingMarks) {
        if (text.substr(j, mark.size()) == mark) {
          j += mark.size();
          more = true;
          break;
        }
      }
    }
    if (j < n && is_space(text[j])) {
      close_at(j);
    } else {
      i = j;
    }
  }
  if (start < n) spans.emplace_back(start, n);
  return spans;
}

std::vector<std::string> chunk_blocks(const std::vector<TextBlock>& blocks, std::size_t max_chars) {
  std::vector<std::string> chunks;
  std::string current;
  std::size_t current_chars = 0;
  auto flush = [&] {
    if (!current.empty()) chunks.push_back(std::move(current));
    current.clear();
    current_chars = 0;
  };
  for (const auto& block : blocks) {
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
