// Plain text, HTML entities and the shared BlockBuilder (text_extract.hpp, block_builder.hpp).
// Markdown, HTML and PDF live in markdown_extract.cpp, html_extract.cpp and pdf_extract.cpp.
#include "text_extract.hpp"

#include <array>
#include <cstdint>
#include <utility>

#include "block_builder.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/text/utf8.hpp"

namespace botfactory::registry {
namespace {

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
/// C0 control characters other than tab and line feed (NUL included), and DEL.
bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t' && c != '\n') || u == 0x7F;
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && text::is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}
std::string_view ltrim(std::string_view s) {
  while (!s.empty() && text::is_ascii_space(s.front())) s.remove_prefix(1);
  return s;
}

struct NamedEntity {
  std::string_view name;
  std::uint32_t code_point;
};

constexpr std::array<NamedEntity, 19> kNamedEntities = {{
    {"amp", '&'},       {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
    {"apos", '\''},     {"nbsp", ' '},      {"ndash", 0x2013},  {"mdash", 0x2014},
    {"hellip", 0x2026}, {"laquo", 0x00AB},  {"raquo", 0x00BB},  {"lsquo", 0x2018},
    {"rsquo", 0x2019},  {"ldquo", 0x201C},  {"rdquo", 0x201D},  {"bdquo", 0x201E},
    {"copy", 0x00A9},   {"reg", 0x00AE},    {"trade", 0x2122},
}};

constexpr std::size_t kMaxEntityLength = 12;  // bytes from '&' to ';'

/// Decodes the reference starting at text[pos] == '&'. Returns the number of bytes consumed,
/// 0 when it is not a reference we decode. Looks at most kMaxEntityLength bytes ahead, so a
/// long run of '&' stays linear.
std::size_t decode_entity_at(std::string_view text, std::size_t pos, std::string& out) {
  auto window = text.substr(pos, kMaxEntityLength + 1);
  auto semi = window.find(';', 1);
  if (semi == std::string_view::npos || semi == 1) return 0;
  auto name = window.substr(1, semi - 1);
  if (name[0] == '#') {
    std::uint32_t cp = 0;
    bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    auto digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    for (char c : digits) {
      std::uint32_t d;
      if (is_ascii_digit(c)) {
        d = static_cast<std::uint32_t>(c - '0');
      } else if (hex && c >= 'a' && c <= 'f') {
        d = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (hex && c >= 'A' && c <= 'F') {
        d = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return 0;
      }
      cp = cp * (hex ? 16 : 10) + d;
      if (cp > 0x10FFFF) return 0;
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    text::append_utf8(out, cp == 0xA0 ? ' ' : cp);
    return semi + 1;
  }
  for (const auto& entity : kNamedEntities) {
    if (entity.name == name) {
      text::append_utf8(out, entity.code_point);
      return semi + 1;
    }
  }
  return 0;
}

}  // namespace

void BlockBuilder::text(std::string_view s) {
  for (char c : s) {
    if (text::is_ascii_space(c) || is_control(c)) {
      pending_space_ = !current_.empty();
    } else {
      if (pending_space_) current_ += ' ';
      pending_space_ = false;
      current_ += c;
    }
  }
}

void BlockBuilder::verbatim(std::string_view s) {
  if (pending_space_) current_ += ' ';
  pending_space_ = false;
  for (char c : s) current_ += (c == '\r' || is_control(c)) ? (c == '\r' ? '\n' : ' ') : c;
}

void BlockBuilder::end_block() {
  auto trimmed = common::trim(current_);
  if (!trimmed.empty()) {
    size_ += trimmed.size();
    blocks_.push_back({std::string(trimmed), heading_});
  }
  current_.clear();
  heading_ = false;
  pending_space_ = false;
}

std::string decode_html_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      if (auto used = decode_entity_at(text, i, out)) {
        i += used - 1;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::vector<TextBlock> plain_to_blocks(std::string_view text) {
  std::vector<TextBlock> blocks;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) blocks.push_back({std::move(current), false});
    current.clear();
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    auto line = rtrim(text.substr(start, end - start));
    // CRLF, CR and LF all end a line.
    start = end + ((end + 1 < text.size() && text[end] == '\r' && text[end + 1] == '\n') ? 2 : 1);
    if (ltrim(line).empty()) {
      flush();
      continue;
    }
    if (!current.empty()) current += '\n';
    for (char c : current.empty() ? ltrim(line) : line) current += is_control(c) ? ' ' : c;
  }
  flush();
  return blocks;
}

}  // namespace botfactory::registry
