#include "botfactory/text/words.hpp"

#include "botfactory/text/utf8.hpp"

namespace botfactory::text {

bool is_word_code_point(std::uint32_t cp) {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
  if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7) return false;  // Latin-1 controls, punctuation, « »
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // general punctuation .. arrows, symbols
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;  // CJK compatibility forms
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;  // fullwidth punctuation
  if (cp == kReplacementCharacter || cp == 0xFEFF) return false;
  if (cp >= 0x1F000) return false;  // emoji and pictographs
  return true;
}

std::uint32_t lower_code_point(std::uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0x0410 && cp <= 0x042F) return cp + 32;  // А..Я
  if (cp >= 0x0400 && cp <= 0x040F) return cp + 80;  // Ѐ..Џ (Ё)
  return cp;
}

bool WordReader::next(Word& word) {
  word.text.clear();
  word.code_points = 0;
  while (pos_ < text_.size()) {
    std::size_t length = 1;
    std::uint32_t cp = decode_utf8(text_, pos_, length);
    pos_ += length;
    if (is_word_code_point(cp)) {
      append_utf8(word.text, lower_code_point(cp));
      ++word.code_points;
    } else if (word.code_points > 0) {
      return true;
    }
  }
  return word.code_points > 0;
}

std::vector<Word> lower_words(std::string_view text) {
  std::vector<Word> words;
  WordReader reader(text);
  for (Word word; reader.next(word);) words.push_back(std::move(word));
  return words;
}

}  // namespace botfactory::text
