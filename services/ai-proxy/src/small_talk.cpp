#include "small_talk.hpp"

#include <algorithm>
#include <iterator>

#include "botfactory/text/words.hpp"

namespace botfactory::ai {
namespace {

constexpr std::size_t kMaxWords = 10;

constexpr std::string_view kGreetingWords[] = {
    "hello", "hi", "hey", "hiya", "howdy", "greetings", "morning", "afternoon", "evening", "good",
    "привет", "здравствуйте", "здравствуй", "здорово", "добрый", "доброе", "день", "утро", "вечер",
    "салют", "salom", "assalomu", "alaykum", "hayrli", "xayrli", "kun", "tong", "кеч", "салом",
    "ассалому"};
constexpr std::string_view kThanksWords[] = {
    "thanks", "thank", "thx", "ty", "cheers", "appreciate", "спасибо", "благодарю", "спс",
    "большое", "rahmat", "raxmat", "tashakkur", "katta", "раҳмат", "рахмат", "ташаккур",
    "grateful", "helpful", "great"};
constexpr std::string_view kGoodbyeWords[] = {
    "bye", "goodbye", "later", "see", "до", "свидания", "пока", "встречи", "xayr", "hayr",
    "хайр", "farewell"};
// Words that make a message a question about the bot itself.
constexpr std::string_view kIdentityWords[] = {
    "who",    "made",   "created", "built",   "make",    "create", "developed", "creator",
    "name",   "кто",    "создал",  "создали", "сделал",  "сделали", "разработал", "зовут",
    "такой",  "такая",  "kim",     "kimsan",  "kimsiz",  "yaratgan", "yaratdi", "yaratgansiz",
    "qilgan", "ismingiz", "isming", "ким",    "кимсан",  "кимсиз", "яратган",  "robot",
    "робот",  "человек"};
// Words that may accompany small talk without turning it into a question.
constexpr std::string_view kFillerWords[] = {
    "there", "you", "are", "is", "your", "a", "an", "the", "very", "much", "so", "lot", "bot",
    "what", "me", "to", "for", "all", "ты", "вы", "тебя", "вас", "тебе", "вам", "очень", "бот",
    "как", "твоё", "твое", "ваше", "sen", "siz", "seni", "sizni", "sizga", "senga", "bot", "ham",
    "juda", "nima"};

template <std::size_t N>
bool contains(const std::string_view (&words)[N], std::string_view word) {
  return std::find(std::begin(words), std::end(words), word) != std::end(words);
}

}  // namespace

SmallTalk classify_small_talk(std::string_view text) {
  auto words = text::lower_words(text);
  if (words.empty() || words.size() > kMaxWords) return SmallTalk::kNone;
  bool greeting = false, thanks = false, goodbye = false, identity = false, you = false;
  for (const auto& word : words) {
    const auto& w = word.text;
    bool known = false;
    if (contains(kGreetingWords, w)) greeting = known = true;
    if (contains(kThanksWords, w)) thanks = known = true;
    if (contains(kGoodbyeWords, w)) goodbye = known = true;
    if (contains(kIdentityWords, w)) identity = known = true;
    if (contains(kFillerWords, w)) known = true;
    if (w == "you" || w == "ты" || w == "вы" || w == "тебя" || w == "вас" || w == "sen" ||
        w == "siz" || w == "seni" || w == "sizni" || w == "kimsan" || w == "kimsiz" || w == "кимсан") {
      you = true;
    }
    if (!known) return SmallTalk::kNone;
  }
  if (identity && (you || words.size() == 1)) return SmallTalk::kIdentity;
  if (thanks) return SmallTalk::kThanks;
  if (goodbye) return SmallTalk::kGoodbye;
  if (greeting) return SmallTalk::kGreeting;
  // "what are you?", "are you a bot?": filler words about the bot only.
  if (you) return SmallTalk::kIdentity;
  return SmallTalk::kNone;
}

const char* small_talk_reply(SmallTalk kind, std::string_view language) {
  const bool ru = language == "ru";
  const bool uz = language == "uz";
  switch (kind) {
    case SmallTalk::kGreeting:
      if (ru) return "Здравствуйте! Задайте вопрос — я отвечу по своей базе знаний.";
      if (uz) return "Salom! Savolingizni yozing — bilim bazamdan javob beraman.";
      return "Hello! Ask me a question and I'll answer from my knowledge base.";
    case SmallTalk::kThanks:
      if (ru) return "Пожалуйста! Чем ещё могу помочь?";
      if (uz) return "Arzimaydi! Yana savolingiz bormi?";
      return "You're welcome! Anything else I can help with?";
    case SmallTalk::kGoodbye:
      if (ru) return "До свидания! Возвращайтесь, если появятся вопросы.";
      if (uz) return "Xayr! Savollaringiz bo‘lsa, qaytib keling.";
      return "Goodbye! Come back any time you have a question.";
    case SmallTalk::kIdentity:
      if (ru) return "Я бот-помощник этого сайта, сделанный на BotFactory. Я отвечаю по базе знаний сайта и называю источник.";
      if (uz) return "Men bu saytning yordamchi botiman, BotFactory’da yaratilganman. Sayt bilim bazasidan javob beraman va manbani ko‘rsataman.";
      return "I'm this site's help bot, made with BotFactory. I answer from the site's knowledge base and name my source.";
    case SmallTalk::kNone:
      break;
  }
  return "";
}

}  // namespace botfactory::ai
