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

}  // namespace botfactory::registry
