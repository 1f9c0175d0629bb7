#include "pipeline/bot_phrases.hpp"

namespace botfactory::channel {

std::string quota_exhausted_text(std::string_view language) {
  if (language == "ru") {
    return "Извините, сейчас этот помощник не может ответить. Пожалуйста, попробуйте позже.";
  }
  if (language == "uz") {
    return "Kechirasiz, bu yordamchi hozir javob bera olmaydi. Iltimos, keyinroq urinib ko‘ring.";
  }
  return "Sorry, this assistant can't reply right now. Please try again later.";
}

std::string busy_text(std::string_view language) {
  if (language == "ru") {
    return "Извините, сейчас у меня очень много вопросов. Пожалуйста, напишите ещё раз через минуту.";
  }
  if (language == "uz") {
    return "Kechirasiz, hozir savollar juda ko‘p. Iltimos, bir daqiqadan so‘ng qayta yozing.";
  }
  return "Sorry, I'm getting a lot of questions right now. Please ask again in a minute.";
}

std::string provider_busy_text(std::string_view language) {
  if (language == "ru") {
    return "Извините, сейчас я занят. Пожалуйста, повторите вопрос через минутку.";
  }
  if (language == "uz") {
    return "Kechirasiz, hozir bandman. Iltimos, birozdan so‘ng savolingizni qayta yuboring.";
  }
  return "Sorry, I'm a little busy right now. Please try again in a moment.";
}

std::string ai_usage_text(std::string_view language) {
  if (language == "ru") return "Чтобы спросить меня напрямую, напишите: /ai <ваш вопрос>";
  if (language == "uz") return "Menga to‘g‘ridan-to‘g‘ri savol berish uchun yozing: /ai <savolingiz>";
  return "To ask me directly, write: /ai <your question>";
}

std::string apology_text(std::string_view language) {
  if (language == "ru") {
    return "Извините, что-то пошло не так. Пожалуйста, попробуйте ещё раз чуть позже.";
  }
  if (language == "uz") {
    return "Kechirasiz, nimadir xato ketdi. Iltimos, birozdan so‘ng qayta urinib ko‘ring.";
  }
  return "Sorry, something went wrong. Please try again in a moment.";
}

std::string sources_heading(std::string_view language) {
  if (language == "ru") return "Источники:";
  if (language == "uz") return "Manbalar:";
  return "Sources:";
}

}  // namespace botfactory::channel

namespace botfactory::channel {

// tgrate: ratings on Telegram.
std::string rating_up_label(std::string_view language) {
  if (language == "ru") return "\U0001F44D Полезно";
  if (language == "uz") return "\U0001F44D Foydali";
  return "\U0001F44D Helpful";
}

std::string rating_down_label(std::string_view language) {
  if (language == "ru") return "\U0001F44E Бесполезно";
  if (language == "uz") return "\U0001F44E Foydasiz";
  return "\U0001F44E Not helpful";
}

std::string rating_thanks_text(std::string_view language) {
  if (language == "ru") return "Спасибо за отзыв!";
  if (language == "uz") return "Fikringiz uchun rahmat!";
  return "Thanks for your feedback!";
}

std::string rating_cleared_text(std::string_view language) {
  if (language == "ru") return "Оценка снята";
  if (language == "uz") return "Baho olib tashlandi";
  return "Rating removed";
}

std::string rating_too_many_text(std::string_view language) {
  if (language == "ru") return "Слишком много изменений, попробуйте через минуту";
  if (language == "uz") return "O‘zgarishlar juda ko‘p, bir daqiqadan so‘ng urinib ko‘ring";
  return "Too many changes, try again in a minute";
}

std::string rating_unavailable_text(std::string_view language) {
  if (language == "ru") return "Этот ответ нельзя оценить";
  if (language == "uz") return "Bu javobni baholab bo‘lmaydi";
  return "This message can't be rated";
}

}  // namespace botfactory::channel
