#include "language_detect.hpp"

#include <algorithm>
#include <array>

#include "botfactory/text/utf8.hpp"
#include "botfactory/text/words.hpp"

namespace botfactory::ai {
namespace {

// Frequent function words, enough to tell a short question's language.
constexpr std::array<std::string_view, 48> kEnglishWords = {
    "the",  "is",    "are",   "was",   "how",   "what",  "why",    "who",   "where", "when",
    "which", "do",   "does",  "did",   "can",   "could", "should", "would", "will",  "you",
    "your", "my",    "me",    "it",    "to",    "of",    "in",     "on",    "for",   "with",
    "and",  "or",    "not",   "this",  "that",  "there", "have",   "has",   "hello", "hi",
    "hey",  "thanks", "thank", "please", "about", "made", "get",   "an"};
constexpr std::array<std::string_view, 40> kUzbekLatinWords = {
    "va",      "bu",     "men",    "siz",     "sen",    "biz",    "ular",   "nima",
    "nega",    "qanday", "qayerda", "qachon", "kim",    "uchun",  "bilan",  "ham",
    "mumkin",  "kerak",  "emas",   "bor",     "yoki",   "lekin",  "agar",   "salom",
    "rahmat",  "assalomu", "alaykum", "qilib", "qilish", "olish", "ovoz",   "mening",
    "sizning", "haqida", "nimaga", "qaysi",   "necha",  "yaxshi", "xayr",   "kimsan"};
constexpr std::array<std::string_view, 16> kUzbekCyrillicWords = {
    "ва",   "бу",     "нима",  "нега",  "қандай", "учун",  "билан", "ҳам",
    "мумкин", "керак", "салом", "раҳмат", "кимсан", "сиз",  "мен",   "ассалому"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool is_latin_letter(std::uint32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0x24F);
}
bool is_cyrillic_letter(std::uint32_t cp) { return cp >= 0x400 && cp <= 0x4FF; }
// ў Ў қ Қ ғ Ғ ҳ Ҳ: letters of Uzbek Cyrillic that Russian does not use.
bool is_uzbek_cyrillic_letter(std::uint32_t cp) {
  return cp == 0x45E || cp == 0x40E || cp == 0x49B || cp == 0x49A || cp == 0x493 || cp == 0x492 ||
         cp == 0x4B3 || cp == 0x4B2;
}
// ʻ ʼ ‘ ’ ': the Uzbek Latin apostrophes of oʻ, gʻ and the tutuq belgisi.
bool is_apostrophe(std::uint32_t cp) {
  return cp == 0x2BB || cp == 0x2BC || cp == 0x2018 || cp == 0x2019 || cp == '\'';
}

}  // namespace

std::string detect_language(std::string_view text) {
  std::size_t latin = 0, cyrillic = 0, uzbek_letters = 0, uzbek_apostrophes = 0;
  std::uint32_t previous = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = 1;
    std::uint32_t cp = text::decode_utf8(text, pos, length);
    pos += length;
    if (is_latin_letter(cp)) ++latin;
    if (is_cyrillic_letter(cp)) ++cyrillic;
    if (is_uzbek_cyrillic_letter(cp)) ++uzbek_letters;
    if (is_apostrophe(cp) && (previous == 'o' || previous == 'g' || previous == 'O' || previous == 'G')) {
      ++uzbek_apostrophes;
    }
    previous = cp;
  }
  if (latin == 0 && cyrillic == 0) return {};

  std::size_t english = 0, uzbek = 0, cyrillic_words = 0, latin_words = 0;
  for (const auto& word : text::lower_words(text)) {
    std::size_t first_length = 1;
    std::uint32_t first = text::decode_utf8(word.text, 0, first_length);
    if (is_cyrillic_letter(first)) ++cyrillic_words;
    if (is_latin_letter(first)) ++latin_words;
    if (contains(kEnglishWords, word.text)) ++english;
    if (contains(kUzbekLatinWords, word.text) || contains(kUzbekCyrillicWords, word.text)) ++uzbek;
    // q not followed by u (qanday, qilib) is rare in English words.
    auto q = word.text.find('q');
    if (q != std::string::npos && (q + 1 >= word.text.size() || word.text[q + 1] != 'u')) ++uzbek;
  }
  // Brand names stay Latin in Cyrillic text ("Что такое Common Voice?"): words decide.
  if (cyrillic_words > 0 && cyrillic_words >= latin_words) return (uzbek_letters > 0 || uzbek > 0) ? "uz" : "ru";
  uzbek += uzbek_apostrophes;
  if (uzbek > english) return "uz";
  if (english > 0) return "en";
  return {};  // Latin letters without a clue ("Relay", "spam"): the bot's language decides
}

std::string reply_language(std::string_view detected, std::string_view bot_language) {
  for (std::string_view language : {detected, bot_language}) {
    if (language == "en" || language == "ru" || language == "uz") return std::string(language);
  }
  return "en";
}

}  // namespace botfactory::ai
