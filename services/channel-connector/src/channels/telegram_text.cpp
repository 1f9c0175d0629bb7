#include "channels/telegram_text.hpp"

#include <algorithm>

#include "pipeline/bot_phrases.hpp"

namespace botfactory::channel {
namespace {

/// Length in bytes of the UTF-8 sequence at text[i]: the length its lead byte announces when
/// that many continuation bytes (10xxxxxx) follow, else 1 (a stray or truncated byte counts
/// alone, so an ASCII byte is never swallowed and cuts after ASCII stay on boundaries).
std::size_t sequence_length(std::string_view text, std::size_t i) {
  auto lead = static_cast<unsigned char>(text[i]);
  std::size_t n = 1;
  if ((lead >> 5) == 0x6) n = 2;
  else if ((lead >> 4) == 0xE) n = 3;
  else if ((lead >> 3) == 0x1E) n = 4;
  if (n == 1 || i + n > text.size()) return 1;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Byte offset where `window` (a prefix of the text) is best cut: after a paragraph break,
/// sentence end, line break or space; 0 when none is found in its second half.
std::size_t best_cut(std::string_view window) {
  const std::size_t floor = window.size() / 2;
  auto last_after = [&](std::string_view needle) -> std::size_t {
    auto at = window.rfind(needle);
    if (at == std::string_view::npos || at + needle.size() <= floor) return 0;
    return at + needle.size();
  };
  if (auto cut = last_after("\n\n")) return cut;
  std::size_t sentence = 0;
  for (std::string_view end : {". ", "! ", "? ", ".\n", "!\n", "?\n", "\xE3\x80\x82", "\xEF\xBC\x81",
                               "\xEF\xBC\x9F", "\xE2\x80\xA6 "}) {
    sentence = std::max(sentence, last_after(end));
  }
  if (sentence) return sentence;
  if (auto cut = last_after("\n")) return cut;
  if (auto cut = last_after(" ")) return cut;
  return 0;
}

}  // namespace

std::size_t utf16_units(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = sequence_length(text, i);
    units += length == 4 ? 2 : 1;
    i += length;
  }
  return units;
}

std::string render_with_sources(std::string_view text, const std::vector<CitedSource>& sources,
                                std::string_view language) {
  std::string out(text);
  if (sources.empty()) return out;
  // A text without [n] citations that names every source already (the extractive answerer ends
  // with `Source: “<title>”`) gets no list: the customer would read the same title twice.
  bool named = text.find("[1]") == std::string_view::npos &&
               std::all_of(sources.begin(), sources.end(), [&](const CitedSource& s) {
                 return !s.document_title.empty() && text.find(s.document_title) != std::string_view::npos;
               });
  if (named) return out;
  out += "\n\n" + sources_heading(language);
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto& s = sources[i];
    out += "\n[" + std::to_string(i + 1) + "] ";
    out += s.document_title.empty() ? "document " + s.document_id : s.document_title;
  }
  return out;
}

std::vector<std::string> split_message(std::string_view text, std::size_t max_units) {
  max_units = std::max<std::size_t>(max_units, 16);
  std::vector<std::string> parts;
  std::string_view rest = trim(text);
  while (!rest.empty()) {
    // The longest prefix within max_units, on a code-point boundary.
    std::size_t bytes = 0, units = 0;
    while (bytes < rest.size()) {
      std::size_t length = sequence_length(rest, bytes);
      std::size_t add = length == 4 ? 2 : 1;
      if (units + add > max_units) break;
      units += add;
      bytes += length;
    }
    if (bytes < rest.size()) {
      if (auto cut = best_cut(rest.substr(0, bytes))) bytes = cut;
    }
    auto part = trim(rest.substr(0, bytes));
    if (!part.empty()) parts.emplace_back(part);
    rest = trim(rest.substr(bytes));
  }
  return parts;
}

}  // namespace botfactory::channel
