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
