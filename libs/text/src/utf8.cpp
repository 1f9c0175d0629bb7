#include "botfactory/text/utf8.hpp"

namespace botfactory::text {

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

void append_utf8(std::string& out, std::uint32_t code_point) {
  const std::uint32_t cp = code_point;
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

}  // namespace botfactory::text
