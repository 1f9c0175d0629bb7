// Unit tests of the visitor-language detection (language_detect.hpp).

#include <catch2/catch.hpp>

#include "language_detect.hpp"

using botfactory::ai::detect_language;
using botfactory::ai::reply_language;

TEST_CASE("English, Russian and Uzbek questions are told apart by script and small word lists") {
  CHECK(detect_language("How do I record my voice for Common Voice?") == "en");
  CHECK(detect_language("hello") == "en");
  CHECK(detect_language("Who made you?") == "en");
  CHECK(detect_language("Как записать свой голос для Common Voice?") == "ru");
  CHECK(detect_language("привет") == "ru");
  CHECK(detect_language("Что такое Common Voice?") == "ru");
  // Uzbek Latin: word list, q without u, the oʻ / gʻ apostrophes (ASCII and U+02BB).
  CHECK(detect_language("Common Voice nima?") == "uz");
  CHECK(detect_language("Qanday qilib ovozimni yozib olaman?") == "uz");
  CHECK(detect_language("salom") == "uz");
  CHECK(detect_language("rahmat") == "uz");
  CHECK(detect_language("To\xCA\xBBg\xCA\xBBri ma'lumot") == "uz");
  CHECK(detect_language("Nega bu muhim?") == "uz");
  // Uzbek Cyrillic: its own letters (қ ў ғ ҳ) or words.
  CHECK(detect_language("Қандай қилиб овозимни ёзаман?") == "uz");
  CHECK(detect_language("салом") == "uz");
  // English with a q-u word stays English.
  CHECK(detect_language("Is there a quota on questions?") == "en");
}

TEST_CASE("no letters or another script is undecided; invalid UTF-8 never throws") {
  CHECK(detect_language("").empty());
  CHECK(detect_language("?!").empty());
  CHECK(detect_language("12345").empty());
  CHECK(detect_language("Firefox Relay spam").empty());  // no clue: the bot's language decides
  CHECK(detect_language("\xE4\xBD\xA0\xE5\xA5\xBD").empty());  // 你好
  CHECK(detect_language(std::string("\xFF\xFE\xC0", 3)).empty());
  CHECK(detect_language(std::string("\xFF" "hello\xC3", 7)) == "en");
}

TEST_CASE("the reply language is the visitor's when known, else the bot's, else English") {
  CHECK(reply_language("ru", "en") == "ru");
  CHECK(reply_language("uz", "ru") == "uz");
  CHECK(reply_language("", "ru") == "ru");
  CHECK(reply_language("", "de") == "en");
  CHECK(reply_language("fr", "") == "en");
}
