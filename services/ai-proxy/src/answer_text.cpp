#include "answer_text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "botfactory/common/text.hpp"

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
constexpr std::array<std::string_view, 56> kRussianStop = {
    "что",   "как",   "это",   "для",   "или",   "где",   "когда", "почему", "зачем", "вас",
    "ваш",   "ваша",  "ваши",  "вам",   "мне",   "мой",   "моя",   "мои",    "моё",   "мое",
    "так",   "уже",   "его",   "она",   "они",   "оно",   "есть",  "был",    "была",  "были",
    "быть",  "если",  "чтобы", "ещё",   "еще",   "при",   "про",   "без",    "над",   "под",
    "все",   "всё",   "меня",  "тебя",  "кто",   "чем",   "какой", "какая",  "какие", "каков",
    "там",   "тут",   "здравствуйте", "привет", "пожалуйста", "скажите"};
constexpr std::array<std::string_view, 24> kUzbekStop = {
    "uchun", "nima",  "qanday", "qilib", "bilan", "ham",   "men",   "sen",
    "siz",   "biz",   "ular",   "mening", "sizning", "bizning", "nega", "qachon",
    "qayerda", "kim", "yoki",   "lekin", "agar",  "salom", "iltimos", "bor"};

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

// The same word-character rule as bot-registry's query_words(), so both sides see one word.
bool is_word_code_point(std::uint32_t cp) {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
  if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;
  if (cp == 0xFFFD || cp == 0xFEFF) return false;
  if (cp >= 0x1F000) return false;
  return true;
}

std::uint32_t to_lower(std::uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0x0410 && cp <= 0x042F) return cp + 32;
  if (cp >= 0x0400 && cp <= 0x040F) return cp + 80;
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

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool is_stop_word(std::string_view word, std::string_view language) {
  if (language == "ru") return contains(kRussianStop, word) || contains(kEnglishStop, word);
  if (language == "uz") return contains(kUzbekStop, word) || contains(kEnglishStop, word);
  return contains(kEnglishStop, word);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
constexpr std::string_view kClosingMarks[] = {"\xC2\xBB", "\xE2\x80\x9D", "\xE2\x80\x99"};

}  // namespace

std::vector<std::string> content_stems(std::string_view text, std::string_view language) {
  std::vector<std::string> stems;
  std::string word;
  std::string stem;
  std::size_t chars = 0;
  auto finish = [&] {
    if (chars >= kMinWordChars && !is_stop_word(word, language) &&
        std::find(stems.begin(), stems.end(), stem) == stems.end()) {
      stems.push_back(stem);
    }
    word.clear();
    stem.clear();
    chars = 0;
  };
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = 1;
    auto cp = decode(text, i, length);
    if (is_word_code_point(cp)) {
      auto lower = to_lower(cp);
      append_utf8(word, lower);
      if (chars < kStemChars) append_utf8(stem, lower);
      ++chars;
    } else {
      finish();
    }
    i += length;
  }
  finish();
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

std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> sentences;
  const std::size_t n = text.size();
  std::size_t start = 0;
  auto emit = [&](std::size_t end) {
    auto sentence = common::trim(text.substr(start, end - start));
    if (!sentence.empty()) sentences.emplace_back(sentence);
    start = end;
  };
  for (std::size_t i = 0; i < n;) {
    char c = text[i];
    if (c == '\n') {
      emit(++i);
      continue;
    }
    std::size_t terminal = 0;
    if (c == '.' || c == '!' || c == '?') {
      terminal = 1;
    } else if (text.substr(i, kEllipsis.size()) == kEllipsis) {
      terminal = kEllipsis.size();
    }
    if (terminal == 0) {
      ++i;
      continue;
    }
    std::size_t j = i + terminal;
    while (j < n && (text[j] == '.' || text[j] == '!' || text[j] == '?')) ++j;
    for (bool more = true; more && j < n;) {
      more = false;
      if (text[j] == '"' || text[j] == '\'' || text[j] == ')' || text[j] == ']') {
        ++j;
        more = true;
        continue;
      }
      for (auto mark : kClosingMarks) {
        if (text.substr(j, mark.size()) == mark) {
          j += mark.size();
          more = true;
          break;
        }
      }
    }
    if (j < n && is_space(text[j])) emit(j);
    i = j;
  }
  emit(n);
  return sentences;
}

std::vector<std::string> stream_pieces(std::string_view text, std::size_t words_per_piece) {
  std::vector<std::string> pieces;
  if (words_per_piece == 0) words_per_piece = 1;
  std::size_t start = 0;
  std::size_t words = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    // Skip a word, then the whitespace after it.
    while (i < text.size() && !is_space(text[i])) ++i;
    while (i < text.size() && is_space(text[i])) ++i;
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
  // Byte offset of the code point at index max_chars - 1 (room for the ellipsis).
  std::size_t seen = 0, cut = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (seen == max_chars - 1) {
        cut = i;
        break;
      }
      ++seen;
    }
  }
  std::size_t space = cut;
  while (space > 0 && !is_space(text[space])) --space;
  if (space > 0) cut = space;
  std::string out(common::trim(text.substr(0, cut)));
  while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':')) out.pop_back();
  out += kEllipsis;
  return out;
}

}  // namespace botfactory::ai
