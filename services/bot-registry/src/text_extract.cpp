#include "text_extract.hpp"

#include <array>
#include <cstdint>
#include <utility>

#include "botfactory/common/text.hpp"
#include "botfactory/text/utf8.hpp"

namespace botfactory::registry {
namespace {

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
// Bytes of multi-byte UTF-8 sequences count as word characters (letters of Russian, Uzbek, ...).
bool is_word_byte(char c) {
  return is_ascii_alpha(c) || is_ascii_digit(c) || static_cast<unsigned char>(c) >= 0x80;
}
bool is_ascii_punct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

std::string normalize_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && text::is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}
std::string_view ltrim(std::string_view s) {
  while (!s.empty() && text::is_ascii_space(s.front())) s.remove_prefix(1);
  return s;
}

/// Collects blocks, collapsing runs of whitespace into one space (HTML and Markdown rules).
class BlockBuilder {
 public:
  void text(std::string_view s) {
    for (char c : s) {
      if (text::is_ascii_space(c)) {
        pending_space_ = !current_.empty();
      } else {
        if (pending_space_) current_ += ' ';
        pending_space_ = false;
        current_ += c;
      }
    }
  }
  void space() { pending_space_ = !current_.empty(); }
  /// Appends a line break (kept verbatim: fenced code).
  void raw_line(std::string_view line) {
    if (!current_.empty()) current_ += '\n';
    current_.append(line);
    pending_space_ = false;
  }
  void start_heading() {
    end_block();
    heading_ = true;
  }
  void mark_heading() { heading_ = true; }
  bool empty() const { return current_.empty(); }
  bool heading() const { return heading_; }
  void end_block() {
    auto trimmed = common::trim(current_);
    if (!trimmed.empty()) blocks_.push_back({std::string(trimmed), heading_});
    current_.clear();
    heading_ = false;
    pending_space_ = false;
  }
  std::vector<TextBlock> finish() {
    end_block();
    return std::move(blocks_);
  }

 private:
  std::vector<TextBlock> blocks_;
  std::string current_;
  bool heading_ = false;
  bool pending_space_ = false;
};

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

/// Decodes the reference starting at text[pos] == '&'. Returns the number of bytes consumed,
/// 0 when it is not a reference we decode.
std::size_t decode_entity_at(std::string_view text, std::size_t pos, std::string& out) {
  constexpr std::size_t kMaxEntityLength = 12;
  auto semi = text.find(';', pos + 1);
  if (semi == std::string_view::npos || semi - pos > kMaxEntityLength || semi == pos + 1) return 0;
  auto name = text.substr(pos + 1, semi - pos - 1);
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
    return semi - pos + 1;
  }
  for (const auto& entity : kNamedEntities) {
    if (entity.name == name) {
      text::append_utf8(out, entity.code_point);
      return semi - pos + 1;
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------- HTML

bool is_skipped_element(std::string_view name) {
  return name == "script" || name == "style" || name == "noscript" || name == "template" ||
         name == "head" || name == "svg";
}

bool is_block_element(std::string_view name) {
  static constexpr std::array<std::string_view, 32> kBlocks = {
      "address", "article", "aside",  "blockquote", "br",     "caption", "dd",    "details",
      "div",     "dl",      "dt",     "fieldset",   "figcaption", "figure", "footer", "form",
      "header",  "hr",      "li",     "main",       "nav",    "ol",      "p",     "pre",
      "section", "summary", "table",  "tbody",      "thead",  "tfoot",   "tr",    "ul"};
  for (auto b : kBlocks) {
    if (b == name) return true;
  }
  return false;
}

bool is_heading_element(std::string_view name) {
  return name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
}

/// Position just past the '>' that ends the tag opened at `pos`, honouring quoted attribute
/// values; text.size() when the tag is never closed.
std::size_t tag_end(std::string_view text, std::size_t pos) {
  char quote = 0;
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return text.size();
}

// ------------------------------------------------------------------------------ Markdown

/// Index of the bracket closing the one at `open` (same kind, nesting counted), or npos.
std::size_t matching(std::string_view s, std::size_t open, char open_c, char close_c) {
  int depth = 0;
  for (std::size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == open_c) ++depth;
    if (s[i] == close_c && --depth == 0) return i;
  }
  return std::string_view::npos;
}

bool looks_like_autolink(std::string_view inner) {
  if (inner.empty() || inner.find(' ') != std::string_view::npos) return false;
  return inner.find("://") != std::string_view::npos || inner.rfind("mailto:", 0) == 0 ||
         (inner.find('@') != std::string_view::npos && inner.find('.') != std::string_view::npos);
}

/// Markdown inline markup → text (see markdown_to_blocks), without entity decoding.
std::string strip_inline(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && is_ascii_punct(s[i + 1])) {
      out += s[++i];
      continue;
    }
    if ((c == '[' || (c == '!' && i + 1 < s.size() && s[i + 1] == '['))) {
      std::size_t open = c == '!' ? i + 1 : i;
      auto close = matching(s, open, '[', ']');
      if (close != std::string_view::npos) {
        auto label = s.substr(open + 1, close - open - 1);
        std::size_t next = close + 1;
        std::size_t end = std::string_view::npos;
        if (next < s.size() && s[next] == '(') {
          end = matching(s, next, '(', ')');
        } else if (next < s.size() && s[next] == '[') {
          end = matching(s, next, '[', ']');
        } else if (c == '!') {
          end = close;  // "![alt]" without a target: keep the alt text
        }
        if (end != std::string_view::npos) {
          out += strip_inline(label);
          i = end;
          continue;
        }
      }
      if (c == '!') {
        out += '!';
        continue;
      }
      out += '[';
      continue;
    }
    if (c == '<') {
      auto close = s.find('>', i + 1);
      if (close != std::string_view::npos) {
        auto inner = s.substr(i + 1, close - i - 1);
        if (looks_like_autolink(inner)) {
          out.append(inner);
          i = close;
          continue;
        }
        if (!inner.empty() && (is_ascii_alpha(inner[0]) || inner[0] == '/' || inner[0] == '!')) {
          out += ' ';
          i = close;
          continue;
        }
      }
      out += c;
      continue;
    }
    if (c == '*' || c == '`' || c == '~') continue;
    if (c == '_') {
      bool inside_word = !out.empty() && is_word_byte(out.back()) && i + 1 < s.size() &&
                         is_word_byte(s[i + 1]);
      if (!inside_word) continue;
    }
    out += c;
  }
  return out;
}

bool is_rule_line(std::string_view line, char marker, std::size_t min_count, bool spaces_allowed) {
  std::size_t count = 0;
  for (char c : line) {
    if (c == marker) {
      ++count;
    } else if (!(spaces_allowed && (c == ' ' || c == '\t'))) {
      return false;
    }
  }
  return count >= min_count;
}

bool is_table_separator(std::string_view line) {
  bool dash = false, pipe = false;
  for (char c : line) {
    if (c == '-') {
      dash = true;
    } else if (c == '|') {
      pipe = true;
    } else if (c != ':' && c != ' ' && c != '\t') {
      return false;
    }
  }
  return dash && pipe;
}

/// Length of a list marker ("- ", "* ", "+ ", "12. ", "3) ") at the start of `line`, or 0.
std::size_t list_marker_length(std::string_view line) {
  if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') &&
      (line[1] == ' ' || line[1] == '\t')) {
    return 2;
  }
  std::size_t i = 0;
  while (i < line.size() && i < 9 && is_ascii_digit(line[i])) ++i;
  if (i > 0 && i + 1 < line.size() && (line[i] == '.' || line[i] == ')') &&
      (line[i + 1] == ' ' || line[i + 1] == '\t')) {
    return i + 2;
  }
  return 0;
}

bool is_reference_definition(std::string_view line) {
  if (line.empty() || line[0] != '[') return false;
  auto close = line.find("]:");
  return close != std::string_view::npos && close > 1 &&
         !ltrim(line.substr(close + 2)).empty();
}

}  // namespace

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
  auto normalized = normalize_newlines(text);
  std::vector<TextBlock> blocks;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) blocks.push_back({std::move(current), false});
    current.clear();
  };
  for (auto line : split_lines(normalized)) {
    line = rtrim(line);
    if (ltrim(line).empty()) {
      flush();
      continue;
    }
    if (!current.empty()) current += '\n';
    current.append(current.empty() ? ltrim(line) : line);
  }
  flush();
  return blocks;
}

std::vector<TextBlock> html_to_blocks(std::string_view html) {
  const std::string lower = common::to_lower_ascii(html);
  BlockBuilder builder;
  std::size_t i = 0;
  std::size_t text_start = 0;
  auto flush_text = [&](std::size_t end) {
    if (end > text_start) builder.text(decode_html_entities(html.substr(text_start, end - text_start)));
  };
  while (i < html.size()) {
    if (html[i] != '<') {
      ++i;
      continue;
    }
    std::string_view rest(lower.data() + i, lower.size() - i);
    if (rest.rfind("<!--", 0) == 0) {
      flush_text(i);
      auto end = lower.find("-->", i + 4);
      i = end == std::string::npos ? html.size() : end + 3;
      text_start = i;
      continue;
    }
    if (rest.size() < 2 || !(is_ascii_alpha(rest[1]) || rest[1] == '/' || rest[1] == '!' || rest[1] == '?')) {
      ++i;  // a literal '<' in text
      continue;
    }
    flush_text(i);
    std::size_t end = tag_end(html, i);
    bool closing = rest[1] == '/';
    std::size_t name_start = i + (closing ? 2 : 1);
    std::size_t name_end = name_start;
    while (name_end < lower.size() && (is_ascii_alpha(lower[name_end]) || is_ascii_digit(lower[name_end]))) {
      ++name_end;
    }
    std::string_view name(lower.data() + name_start, name_end - name_start);
    bool self_closing = end >= 2 && html[end - 2] == '/';
    i = end;
    if (!closing && !self_closing && is_skipped_element(name)) {
      auto close = lower.find("</" + std::string(name), i);
      i = close == std::string::npos ? html.size() : tag_end(html, close);
    } else if (is_heading_element(name)) {
      if (closing) {
        builder.end_block();
      } else {
        builder.start_heading();
      }
    } else if (is_block_element(name)) {
      builder.end_block();
    } else if (name == "td" || name == "th") {
      builder.space();
    }
    text_start = i;
  }
  flush_text(html.size());
  return builder.finish();
}

std::vector<TextBlock> markdown_to_blocks(std::string_view markdown) {
  auto normalized = normalize_newlines(markdown);
  BlockBuilder builder;
  char fence_char = 0;
  std::size_t fence_length = 0;
  for (auto raw : split_lines(normalized)) {
    if (fence_char) {
      auto t = ltrim(raw);
      std::size_t n = 0;
      while (n < t.size() && t[n] == fence_char) ++n;
      if (n >= fence_length && rtrim(t.substr(n)).empty()) {
        fence_char = 0;
        builder.end_block();
      } else {
        builder.raw_line(rtrim(raw));
      }
      continue;
    }
    auto line = ltrim(rtrim(raw));
    while (!line.empty() && line[0] == '>') line = ltrim(line.substr(1));
    if (line.rfind("```", 0) == 0 || line.rfind("~~~", 0) == 0) {
      builder.end_block();
      fence_char = line[0];
      fence_length = 0;
      while (fence_length < line.size() && line[fence_length] == fence_char) ++fence_length;
      continue;
    }
    if (line.empty()) {
      builder.end_block();
      continue;
    }
    if (line[0] == '#') {
      std::size_t level = 0;
      while (level < line.size() && line[level] == '#') ++level;
      if (level <= 6 && (level == line.size() || line[level] == ' ' || line[level] == '\t')) {
        auto title = rtrim(line.substr(level));
        auto stripped = rtrim(title);
        while (!stripped.empty() && stripped.back() == '#') stripped.remove_suffix(1);
        if (stripped.empty() || text::is_ascii_space(stripped.back())) title = stripped;
        builder.start_heading();
        builder.text(decode_html_entities(strip_inline(title)));
        builder.end_block();
        continue;
      }
    }
    bool setext_candidate = !builder.empty() && !builder.heading();
    if (setext_candidate && (is_rule_line(line, '=', 1, false) || is_rule_line(line, '-', 1, false))) {
      builder.mark_heading();
      builder.end_block();
      continue;
    }
    if (is_rule_line(line, '-', 3, true) || is_rule_line(line, '*', 3, true) ||
        is_rule_line(line, '_', 3, true)) {
      builder.end_block();
      continue;
    }
    if (is_reference_definition(line) || is_table_separator(line)) continue;
    if (auto marker = list_marker_length(line)) {
      builder.end_block();
      line = ltrim(line.substr(marker));
    }
    std::string content(line);
    if (content[0] == '|') {
      for (auto& c : content) {
        if (c == '|') c = ' ';
      }
    }
    builder.space();
    builder.text(decode_html_entities(strip_inline(content)));
  }
  return builder.finish();
}

}  // namespace botfactory::registry
