#pragma once
// Splitting UTF-8 text into lower-cased words: one rule for bot-registry's search queries and
// ai-proxy's overlap scoring, so both sides see the same words in a question.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::text {

/// True when `code_point` can be part of a word: ASCII letters and digits, and any non-ASCII
/// code point outside the Latin-1 controls and punctuation (U+0080..U+00BF, × U+00D7,
/// ÷ U+00F7), general punctuation through miscellaneous symbols and arrows (U+2000..U+2BFF),
/// CJK punctuation (U+3000..U+303F), CJK compatibility forms (U+FE30..U+FE4F), fullwidth
/// punctuation (U+FF00..U+FF0F), U+FFFD, U+FEFF and everything from U+1F000 (emoji,
/// pictographs). So letters of Latin, Cyrillic (Russian, Uzbek) and other scripts, and
/// modifier letters such as ʻ (U+02BB, Uzbek "oʻ"), belong to words.
bool is_word_code_point(std::uint32_t code_point);

/// Lower case of `code_point` for ASCII A..Z and Cyrillic А..Я (U+0410..U+042F) and
/// Ѐ..Џ (U+0400..U+040F, with Ё); any other code point is returned unchanged.
std::uint32_t lower_code_point(std::uint32_t code_point);

/// One word of a text, lower-cased with lower_code_point().
struct Word {
  std::string text;             ///< UTF-8
  std::size_t code_points = 0;  ///< length of `text` in code points
};

/// Reads the words of a text one by one, in order, without copying the text (it must outlive
/// the reader): maximal runs of code points for which is_word_code_point() holds. Anything
/// else, including bytes that are not valid UTF-8 (decoded as U+FFFD), separates words.
class WordReader {
 public:
  explicit WordReader(std::string_view text) : text_(text) {}

  /// Replaces `word` with the next word and returns true; false (and `word` cleared) when the
  /// text has no more words.
  bool next(Word& word);

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

/// All words of `text` (see WordReader), in order, repeats included.
std::vector<Word> lower_words(std::string_view text);

}  // namespace botfactory::text
