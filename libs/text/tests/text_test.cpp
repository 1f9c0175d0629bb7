// Unit tests of botfactory::text: UTF-8 scanning, words, sentences.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "botfactory/text/sentences.hpp"
#include "botfactory/text/utf8.hpp"
#include "botfactory/text/words.hpp"

namespace text = botfactory::text;

namespace {

std::vector<std::string> word_texts(std::string_view s) {
  std::vector<std::string> out;
  for (auto& w : text::lower_words(s)) out.push_back(w.text);
  return out;
}

std::vector<std::string> span_texts(const std::string& s) {
  std::vector<std::string> out;
  for (auto [b, e] : text::sentence_spans(s)) out.push_back(s.substr(b, e - b));
  return out;
}

}  // namespace

TEST_CASE("decode_utf8 reads 1 to 4 byte sequences and reports bad bytes as U+FFFD") {
  const std::string s = "a\xD0\x96\xE2\x80\xA6\xF0\x9F\x98\x80";  // a Ж … 😀
  std::size_t length = 0;
  CHECK(text::decode_utf8(s, 0, length) == 'a');
  CHECK(length == 1);
  CHECK(text::decode_utf8(s, 1, length) == 0x0416);
  CHECK(length == 2);
  CHECK(text::decode_utf8(s, 3, length) == 0x2026);
  CHECK(length == 3);
  CHECK(text::decode_utf8(s, 6, length) == 0x1F600);
  CHECK(length == 4);
  // A continuation byte, a cut-short sequence and a bad continuation byte.
  CHECK(text::decode_utf8("\x96", 0, length) == text::kReplacementCharacter);
  CHECK(length == 1);
  CHECK(text::decode_utf8("\xE2\x80", 0, length) == text::kReplacementCharacter);
  CHECK(length == 1);
  CHECK(text::decode_utf8("\xD0z", 0, length) == text::kReplacementCharacter);
  CHECK(length == 1);
}

TEST_CASE("append_utf8 round-trips through decode_utf8") {
  for (std::uint32_t cp : {0x24u, 0xA2u, 0x0416u, 0x20ACu, 0xFFFDu, 0x10348u, 0x10FFFFu}) {
    std::string s;
    text::append_utf8(s, cp);
    std::size_t length = 0;
    CHECK(text::decode_utf8(s, 0, length) == cp);
    CHECK(length == s.size());
  }
}

TEST_CASE("utf8_offset counts code points, never splitting a sequence") {
  const std::string s = "Ёж и ёлка";
  CHECK(text::utf8_offset(s, 0) == 0);
  CHECK(text::utf8_offset(s, 2) == 4);
  CHECK(s.substr(0, text::utf8_offset(s, 4)) == "Ёж и");
  CHECK(text::utf8_offset(s, 9) == s.size());
  CHECK(text::utf8_offset(s, 100) == s.size());
  CHECK(text::utf8_offset("", 0) == 0);
}

TEST_CASE("words: letters and digits of any script, lower-cased ASCII and Cyrillic") {
  CHECK(word_texts("What's the 10 MB limit? (attachments) & | ! :*") ==
        std::vector<std::string>{"what", "s", "the", "10", "mb", "limit", "attachments"});
  CHECK(word_texts("Что насчёт СПАМА? Ёлка «спама» ЀЏ") ==
        std::vector<std::string>{"что", "насчёт", "спама", "ёлка", "спама", "ѐџ"});
  CHECK(word_texts("Nima uchun roʻyxatdan oʻtishim kerak?") ==
        std::vector<std::string>{"nima", "uchun", "roʻyxatdan", "oʻtishim", "kerak"});
  // Non-Latin/Cyrillic letters are kept as they are; symbols, emoji and bad bytes separate.
  CHECK(word_texts("Straße ÄRGER café—naïve 😀ok \xFF\xFE bytes×2") ==
        std::vector<std::string>{"straße", "Ärger", "café", "naïve", "ok", "bytes", "2"});
  CHECK(word_texts("").empty());
  CHECK(word_texts(" ,.!? — «»").empty());
}

TEST_CASE("words report their length in code points; the reader goes one word at a time") {
  auto words = text::lower_words("Ёлка a1");
  REQUIRE(words.size() == 2);
  CHECK(words[0].code_points == 4);
  CHECK(words[0].text.size() == 8);
  CHECK(words[1].code_points == 2);

  text::WordReader reader("one, two");
  text::Word word;
  REQUIRE(reader.next(word));
  CHECK(word.text == "one");
  REQUIRE(reader.next(word));
  CHECK(word.text == "two");
  CHECK_FALSE(reader.next(word));
  CHECK(word.text.empty());
  CHECK(word.code_points == 0);
}

TEST_CASE("word code points and lower-casing") {
  CHECK(text::is_word_code_point('z'));
  CHECK_FALSE(text::is_word_code_point('_'));
  CHECK(text::is_word_code_point(0x0436));        // ж
  CHECK(text::is_word_code_point(0x02BB));        // ʻ (Uzbek oʻ)
  CHECK_FALSE(text::is_word_code_point(0x00AB));  // «
  CHECK_FALSE(text::is_word_code_point(0x2014));  // —
  CHECK_FALSE(text::is_word_code_point(0x3001));  // 、
  CHECK_FALSE(text::is_word_code_point(0x1F600));
  CHECK_FALSE(text::is_word_code_point(text::kReplacementCharacter));
  CHECK(text::lower_code_point('Q') == 'q');
  CHECK(text::lower_code_point(0x0401) == 0x0451);  // Ё → ё
  CHECK(text::lower_code_point(0x042F) == 0x044F);  // Я → я
  CHECK(text::lower_code_point(0x00C4) == 0x00C4);  // Ä is left alone
}

TEST_CASE("sentences split after terminators, quotes and line breaks") {
  std::string s = "Hello there. Is it \"ok?\" Yes… Version 3.5 is out!\nNext";
  CHECK(span_texts(s) == std::vector<std::string>{"Hello there. ", "Is it \"ok?\" ", "Yes… ",
                                                  "Version 3.5 is out!\n", "Next"});
}

TEST_CASE("sentence spans cover the text, whitespace going with the sentence before it") {
  const std::string s = "\n\nOne!!  Two?»\n\n  three ";
  CHECK(span_texts(s) == std::vector<std::string>{"\n\n", "One!!  ", "Two?»\n\n  ", "three "});
  std::string joined;
  for (const auto& t : span_texts(s)) joined += t;
  CHECK(joined == s);
  CHECK(text::sentence_spans("").empty());
}

TEST_CASE("split_sentences trims and drops blank sentences") {
  CHECK(text::split_sentences("First one. Second? «Third»!\n\nFourth line\nfifth") ==
        std::vector<std::string>{"First one.", "Second?", "«Third»!", "Fourth line", "fifth"});
  CHECK(text::split_sentences("Price 3.5 (approx.) here.") ==
        std::vector<std::string>{"Price 3.5 (approx.)", "here."});
  CHECK(text::split_sentences(" \n\t\n").empty());
}
