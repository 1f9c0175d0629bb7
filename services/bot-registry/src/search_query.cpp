#include "search_query.hpp"

#include <algorithm>
#include <cstdint>

namespace botfactory::registry {
namespace {

/// Decodes the code point at s[i]; sets `length` to its byte length (1 for an invalid byte,
/// reported as U+FFFD).
std::uint32_t decode(std::string_view s, std::size_t i, std::size_t& length) {
  auto b = static_cast<unsigned char>(s[i]);
  std::uint32_t cp;
  if (b < 0x80) {
    length = 1;
    return b;
  } else if ((b & 0xE0) == 0xC0) {
    length = 2;
    cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    length = 3;
    cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    length = 4;
    cp = b & 0x07;
  } else {
    length = 1;
    return 0xFFFD;
  }
  if (i + length > s.size()) {
    length = 1;
    return 0xFFFD;
  }
  for (std::size_t k = 1; k < length; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      length = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  return cp;
}

bool is_word_code_point(std::uint32_t cp) {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
  if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7) return false;  // Latin-1 controls, punctuation, « »
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // general punctuation .. arrows, symbols
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;  // CJK compatibility forms
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;  // fullwidth punctuation
  if (cp == 0xFFFD || cp == 0xFEFF) return false;
  if (cp >= 0x1F000) return false;  // emoji and pictographs
  return true;
}

std::uint32_t to_lower(std::uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0x0410 && cp <= 0x042F) return cp + 32;  // А..Я
  if (cp >= 0x0400 && cp <= 0x040F) return cp + 80;  // Ѐ..Џ (Ё)
  return cp;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

const char* text_search_config(std::string_view language) {
  if (language == "en") return "english";
  if (language == "ru") return "russian";
  return "simple";
}

std::vector<std::string> query_words(std::string_view query, std::size_t max_words) {
  constexpr std::size_t kMinChars = 2;
  std::vector<std::string> words;
  std::string word;
  std::size_t word_chars = 0;
  auto finish = [&] {
    if (word_chars >= kMinChars && std::find(words.begin(), words.end(), word) == words.end()) {
      words.push_back(word);
    }
    word.clear();
    word_chars = 0;
  };
  for (std::size_t i = 0; i < query.size() && words.size() < max_words;) {
    std::size_t length = 1;
    std::uint32_t cp = decode(query, i, length);
    if (is_word_code_point(cp)) {
      append_utf8(word, to_lower(cp));
      ++word_chars;
    } else {
      finish();
    }
    i += length;
  }
  if (words.size() < max_words) finish();
  return words;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

}  // namespace botfactory::registry
