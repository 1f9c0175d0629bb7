#include "answer_text.hpp"

#include <algorithm>
#include <array>

#include "botfactory/common/text.hpp"
#include "botfactory/text/utf8.hpp"
#include "botfactory/text/words.hpp"

namespace botfactory::ai {
namespace {

constexpr std::size_t kMinWordChars = 3;
constexpr std::size_t kStemChars = 5;

// Function words that say nothing about the topic of a question.
constexpr std::array<std::string_view, 64> kEnglishStop = {
    "the",   "and",   "for",   "are",   "but",   "not",   "you",   "your",  "can",   "could",
    "how",   "what",  "when",  "where", "why",   "who",   "whom",  "which", "does",  "did",
    "with",  "this",  "that",  "these", "those", "there", "their", "from",  "have",  "has",
    "had",   "will",  "would", "should", "about", "into",  "any",   "all",   "our",   "was",
    "were",  "been",  "being", "they",  "them",  "its",   "than",  "then",  "also",  "just",
    "some",  "such",  "only",  "own",   "too",   "very",  "may",   "might", "must",  "shall",
    "yes",   "hello", "please", "tell"};
constexpr std::array<std::string_view, 60> kRussianStop = {
    "что",   "как",   "это",   "для",   "или",   "где",   "когда", "почему", "зачем", "вас",
    "ваш",   "ваша",  "ваши",  "вам",   "мне",   "мой",   "моя",   "мои",    "моё",   "мое",
    "так",   "уже",   "его",   "она",   "они",   "оно",   "есть",  "был",    "была",  "были",
    "быть",  "если",  "чтобы", "ещё",   "еще",   "при",   "про",   "без",    "над",   "под",
    "все",   "всё",   "меня",  "тебя",  "кто",   "чем",   "какой", "какая",  "какие", "каков",
    "там",   "тут",   "здравствуйте", "привет", "пожалуйста", "скажите", "свой", "свою", "свои",
    "своё"};
constexpr std::array<std::string_view, 24> kUzbekStop = {
    "uchun", "nima",  "qanday", "qilib", "bilan", "ham",   "men",   "sen",
    "siz",   "biz",   "ular",   "mening", "sizning", "bizning", "nega", "qachon",
    "qayerda", "kim", "yoki",   "lekin", "agar",  "salom", "iltimos", "bor"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool is_stop_word(std::string_view word, std::string_view language) {
  if (language == "ru") return contains(kRussianStop, word) || contains(kEnglishStop, word);
  if (language == "uz") return contains(kUzbekStop, word) || contains(kEnglishStop, word);
  return contains(kEnglishStop, word);
}

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

}  // namespace

std::vector<std::string> content_stems(std::string_view text, std::string_view language) {
  std::vector<std::string> stems;
  text::WordReader reader(text);
  for (text::Word word; reader.next(word);) {
    if (word.code_points < kMinWordChars || is_stop_word(word.text, language)) continue;
    auto stem = word.text.substr(0, text::utf8_offset(word.text, kStemChars));
    if (std::find(stems.begin(), stems.end(), stem) == stems.end()) stems.push_back(std::move(stem));
  }
  return stems;
}

bool stems_match(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  return b.substr(0, a.size()) == a;
}

std::size_t matched_count(const std::vector<std::string>& query,
                          const std::vector<std::string>& text_stems) {
  std::size_t matched = 0;
  for (const auto& q : query) {
    for (const auto& t : text_stems) {
      if (stems_match(q, t)) {
        ++matched;
        break;
      }
    }
  }
  return matched;
}

std::vector<std::string> stream_pieces(std::string_view text, std::size_t words_per_piece) {
  std::vector<std::string> pieces;
  if (words_per_piece == 0) words_per_piece = 1;
  std::size_t start = 0;
  std::size_t words = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    // Skip a word, then the whitespace after it.
    while (i < text.size() && !text::is_ascii_space(text[i])) ++i;
    while (i < text.size() && text::is_ascii_space(text[i])) ++i;
    if (++words == words_per_piece) {
      pieces.emplace_back(text.substr(start, i - start));
      start = i;
      words = 0;
    }
  }
  if (start < text.size()) pieces.emplace_back(text.substr(start));
  return pieces;
}

std::string truncate_words(std::string_view text, std::size_t max_chars) {
  if (common::utf8_length(text) <= max_chars) return std::string(text);
  if (max_chars == 0) return {};
  // Keep max_chars - 1 code points: room for the ellipsis.
  std::size_t cut = text::utf8_offset(text, max_chars - 1);
  std::size_t space = cut;
  while (space > 0 && !text::is_ascii_space(text[space])) --space;
  if (space > 0) cut = space;
  std::string out(common::trim(text.substr(0, cut)));
  while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':')) out.pop_back();
  out += kEllipsis;
  return out;
}

}  // namespace botfactory::ai
