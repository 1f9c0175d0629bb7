// Unit tests of the small-talk phrases (small_talk.hpp).

#include <catch2/catch.hpp>

#include <string>

#include "small_talk.hpp"

using botfactory::ai::classify_small_talk;
using botfactory::ai::small_talk_reply;
using botfactory::ai::SmallTalk;

TEST_CASE("greetings, thanks, goodbyes and questions about the bot, in en / ru / uz") {
  for (const char* text : {"hello", "Hi!", "hey there", "Good morning", "Привет", "Здравствуйте!",
                           "Добрый день", "Salom", "Assalomu alaykum", "Салом"}) {
    INFO(text);
    CHECK(classify_small_talk(text) == SmallTalk::kGreeting);
  }
  for (const char* text : {"thanks", "Thank you very much!", "thx", "Спасибо", "Спасибо большое!",
                           "Rahmat", "Katta rahmat", "hello, thanks"}) {
    INFO(text);
    CHECK(classify_small_talk(text) == SmallTalk::kThanks);
  }
  for (const char* text : {"bye", "Goodbye!", "До свидания", "Пока", "Xayr"}) {
    INFO(text);
    CHECK(classify_small_talk(text) == SmallTalk::kGoodbye);
  }
  for (const char* text : {"Who made you?", "who are you", "What are you?", "Are you a bot?",
                           "Who created you?", "Кто ты?", "Кто тебя создал?", "Кто вы такой?",
                           "Sen kimsan?", "Seni kim yaratgan?", "Siz kimsiz?", "thanks, who made you?"}) {
    INFO(text);
    CHECK(classify_small_talk(text) == SmallTalk::kIdentity);
  }
}

TEST_CASE("a question, even with a greeting in it, is not small talk") {
  for (const char* text : {"How do I record my voice for Common Voice?", "hello, how do I record my voice?",
                           "Who made Common Voice?", "Thanks, and what about spam?", "Кто создал Relay?",
                           "Привет, как удалить маску?", "Common Voice nima?", "spam", "", "?!",
                           "hi hi hi hi hi hi hi hi hi hi hi"}) {
    INFO(text);
    CHECK(classify_small_talk(text) == SmallTalk::kNone);
  }
}

TEST_CASE("each kind has a brief reply in en, ru and uz") {
  CHECK(std::string(small_talk_reply(SmallTalk::kGreeting, "en")) ==
        "Hello! Ask me a question and I'll answer from my knowledge base.");
  CHECK(std::string(small_talk_reply(SmallTalk::kGreeting, "ru")) ==
        "Здравствуйте! Задайте вопрос — я отвечу по своей базе знаний.");
  CHECK(std::string(small_talk_reply(SmallTalk::kThanks, "uz")) == "Arzimaydi! Yana savolingiz bormi?");
  CHECK(std::string(small_talk_reply(SmallTalk::kIdentity, "de")) ==
        std::string(small_talk_reply(SmallTalk::kIdentity, "en")));
  for (auto kind : {SmallTalk::kGreeting, SmallTalk::kThanks, SmallTalk::kGoodbye, SmallTalk::kIdentity}) {
    for (const char* language : {"en", "ru", "uz"}) {
      std::string reply = small_talk_reply(kind, language);
      CHECK_FALSE(reply.empty());
      CHECK(reply.size() < 200);
    }
  }
  CHECK(std::string(small_talk_reply(SmallTalk::kNone, "en")).empty());
}
