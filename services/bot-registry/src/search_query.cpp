#include "search_query.hpp"

#include <algorithm>

#include "botfactory/text/words.hpp"

namespace botfactory::registry {

const char* text_search_config(std::string_view language) {
  if (language == "en") return "english";
  if (language == "ru") return "russian";
  return "simple";
}

std::vector<std::string> query_words(std::string_view query, std::size_t max_words) {
  constexpr std::size_t kMinChars = 2;
  std::vector<std::string> words;
  text::WordReader reader(query);
  for (text::Word word; words.size() < max_words && reader.next(word);) {
    if (word.code_points >= kMinChars &&
        std::find(words.begin(), words.end(), word.text) == words.end()) {
      words.push_back(std::move(word.text));
    }
  }
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

std::vector<std::string> query_grams(std::string_view gram_text) {
  constexpr std::size_t kGram = 4;
  std::vector<std::size_t> starts;  // byte offset of every code point (UTF-8 lead bytes)
  for (std::size_t i = 0; i < gram_text.size(); ++i) {
    if ((static_cast<unsigned char>(gram_text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  std::vector<std::string> grams;
  for (std::size_t i = 0; i + kGram <= starts.size(); ++i) {
    std::size_t end = i + kGram < starts.size() ? starts[i + kGram] : gram_text.size();
    grams.emplace_back(gram_text.substr(starts[i], end - starts[i]));
  }
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

}  // namespace botfactory::registry
