#include "botfactory/common/text.hpp"

#include <cstdint>

namespace botfactory::common {

std::uint32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t& length) {
  auto b = static_cast<unsigned char>(text[pos]);
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
    return kReplacementCharacter;
  }
  if (pos + length > text.size()) {
    length = 1;
    return kReplacementCharacter;
  }
  for (std::size_t k = 1; k < length; ++k) {
    auto c = static_cast<unsigned char>(text[pos + k]);
    if ((c & 0xC0) != 0x80) {
      length = 1;
      return kReplacementCharacter;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  return cp;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t length = 0;
  for (std::size_t i = 0; i < text.size(); i += length) {
    std::uint32_t cp = decode_utf8(text, i, length);
    // U+FFFD itself takes 3 bytes: a 1-byte U+FFFD is a byte that did not decode.
    if (cp == kReplacementCharacter && length == 1) return false;
    bool overlong = (length == 2 && cp < 0x80) || (length == 3 && cp < 0x800) ||
                    (length == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  }
  return true;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::size_t utf8_offset(std::string_view text, std::size_t index) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (seen == index) return i;
      ++seen;
    }
  }
  return text.size();
}

std::size_t find_control_char(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20) {
      if (c != '\t' && c != '\n' && c != '\r') return i;
    } else if (c == 0x7F) {
      return i;
    } else if (c == 0xC2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return i;
    }
  }
  return std::string_view::npos;
}

std::string_view trim(std::string_view text) {
  const char* ws = " \t\r\n\f\v";
  auto begin = text.find_first_not_of(ws);
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(ws);
  return text.substr(begin, end - begin + 1);
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace botfactory::common
