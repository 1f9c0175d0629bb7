// Unit tests of the extractive answerer's text helpers.

#include <catch2/catch.hpp>

#include "answer_text.hpp"
#include "botfactory/common/text.hpp"

using namespace botfactory;

TEST_CASE("content stems drop stop words and short words, cut to five characters") {
  CHECK(ai::content_stems("What is the size limit for attachments?", "en") ==
        std::vector<std::string>{"size", "limit", "attac"});
  CHECK(ai::content_stems("Сколько дней вы храните ПИСЬМА?", "ru") ==
        std::vector<std::string>{"сколь", "дней", "храни", "письм"});
  CHECK(ai::content_stems("Ma'lumotlar qanday yuklab olinadi?", "uz") ==
        std::vector<std::string>{"lumot", "yukla", "olina"});
  CHECK(ai::stems_match("spam", "spamm"));
  CHECK_FALSE(ai::stems_match("spam", "span"));
  CHECK(ai::matched_count({"spam", "limit"}, {"spamm", "other"}) == 1);
}

// Sentence splitting is tested with libs/text (text_unit_test).
TEST_CASE("stream pieces") {
  const std::string text = "one two  three four five\n\nsix — seven “eight”";
  auto pieces = ai::stream_pieces(text, 2);
  CHECK(pieces.size() == 5);
  std::string joined;
  for (const auto& p : pieces) joined += p;
  CHECK(joined == text);
  CHECK(pieces[0] == "one two  ");
  CHECK(ai::stream_pieces("", 4).empty());
}

TEST_CASE("truncation at word boundaries keeps UTF-8 intact") {
  CHECK(ai::truncate_words("short", 10) == "short");
  auto cut = ai::truncate_words("Мы никогда не храним ваши письма", 15);
  CHECK(common::is_valid_utf8(cut));
  CHECK(cut == "Мы никогда не…");
  CHECK(common::utf8_length(ai::truncate_words(std::string(50, 'x'), 10)) == 10);
}
