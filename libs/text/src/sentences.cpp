#include "botfactory/text/sentences.hpp"

#include "botfactory/common/text.hpp"
#include "botfactory/text/utf8.hpp"

namespace botfactory::text {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
// Closing marks that may follow a sentence terminator: » ” ’
constexpr std::string_view kClosingMarks[] = {"\xC2\xBB", "\xE2\x80\x9D", "\xE2\x80\x99"};

/// Byte length of the terminator at text[i] ('.', '!', '?' or '…'), 0 when there is none.
std::size_t terminator_length(std::string_view text, std::size_t i) {
  char c = text[i];
  if (c == '.' || c == '!' || c == '?') return 1;
  if (text.substr(i, kEllipsis.size()) == kEllipsis) return kEllipsis.size();
  return 0;
}

/// Position after the further terminators and closing marks that follow a terminator at j.
std::size_t skip_closing(std::string_view text, std::size_t j) {
  const std::size_t n = text.size();
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
  return j;
}

}  // namespace

std::vector<SentenceSpan> sentence_spans(std::string_view text) {
  std::vector<SentenceSpan> spans;
  const std::size_t n = text.size();
  std::size_t start = 0;
  std::size_t i = 0;
  // Ends the current sentence at j, taking the whitespace after it along.
  auto close_at = [&](std::size_t j) {
    while (j < n && is_ascii_space(text[j])) ++j;
    spans.push_back({start, j});
    start = j;
    i = j;
  };
  while (i < n) {
    if (text[i] == '\n') {
      close_at(i + 1);
      continue;
    }
    std::size_t terminal = terminator_length(text, i);
    if (terminal == 0) {
      ++i;
      continue;
    }
    std::size_t j = skip_closing(text, i + terminal);
    if (j < n && is_ascii_space(text[j])) {
      close_at(j);
    } else {
      i = j;
    }
  }
  if (start < n) spans.push_back({start, n});
  return spans;
}

std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> sentences;
  for (auto span : sentence_spans(text)) {
    auto sentence = common::trim(text.substr(span.begin, span.end - span.begin));
    if (!sentence.empty()) sentences.emplace_back(sentence);
  }
  return sentences;
}

}  // namespace botfactory::text
