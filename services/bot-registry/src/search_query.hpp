#pragma once
// Turning a visitor's free-text question into full-text search terms.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::registry {

/// The PostgreSQL text search configuration for a bot language: "english" for en, "russian"
/// for ru, "simple" for uz (PostgreSQL ships no Uzbek stemmer) and anything else.
const char* text_search_config(std::string_view language);

/// The distinct words of `query`, in order of first appearance: its words as text::WordReader
/// reads them (maximal runs of ASCII letters/digits and non-ASCII code points outside the
/// punctuation, symbol and space blocks, lower-cased: ASCII and Cyrillic; invalid UTF-8 bytes
/// separate words), words shorter than 2 code points dropped, at most `max_words`. The result
/// contains no tsquery operator characters.
std::vector<std::string> query_words(std::string_view query, std::size_t max_words = 32);

/// The words joined by single spaces, for `to_tsvector(cfg, ...)` on the SQL side, which
/// stems them and drops stop words without the NOTICE that to_tsquery() prints for them.
std::string join_words(const std::vector<std::string>& words);

/// The distinct character 4-grams of `gram_text` (registry.gram_text's output: UTF-8, lower
/// case, words one space apart, a space at both ends; V007): every run of 4 consecutive code
/// points, as registry.char_grams cuts them with regexp_matches(substr(t, r), '....', 'g')
/// for r = 1..4. Sorted; empty for text shorter than 4 code points.
std::vector<std::string> query_grams(std::string_view gram_text);

}  // namespace botfactory::registry
