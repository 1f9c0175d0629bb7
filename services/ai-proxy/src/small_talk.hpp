#pragma once
// Greetings, thanks, goodbyes and "who are you?": the messages the offline answerer replies to
// itself instead of searching the knowledge base.

#include <string>
#include <string_view>

namespace botfactory::ai {

/// What kind of small talk a message is.
enum class SmallTalk { kNone, kGreeting, kThanks, kGoodbye, kIdentity };

/// Classifies a visitor's UTF-8 message. A message is small talk only when it has at most 10
/// words (text::WordReader words) and every word belongs to the small-talk vocabulary of en, ru
/// or uz (Latin and Cyrillic): greetings ("hello", "привет", "salom"), thanks ("thanks",
/// "спасибо", "rahmat"), goodbyes ("bye", "пока", "xayr"), questions about the bot ("who are
/// you", "who made you", "кто ты", "кто тебя создал", "sen kimsan", "seni kim yaratgan") and
/// filler words ("there", "bot", "очень"). Anything else, such as "hello, how do I record my
/// voice?", is kNone and goes to the knowledge base. When a message mixes kinds, "who are you"
/// wins over thanks, thanks over goodbye, goodbye over greeting. Never throws.
SmallTalk classify_small_talk(std::string_view text);

/// The brief reply to `kind` (not kNone) in `language` ("ru", "uz", anything else = en), UTF-8.
const char* small_talk_reply(SmallTalk kind, std::string_view language);

}  // namespace botfactory::ai
