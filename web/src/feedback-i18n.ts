// answer feedback: the texts of the "Helpful" / "Not helpful" controls under a bot answer
// (answer-feedback.ts), in the three product languages, for the chat page and the widget.

export interface FeedbackStrings {
  rate: string; helpful: string; notHelpful: string; commentLabel: string; commentPlaceholder: string;
  send: string; skip: string; thanks: string; failed: string;
  /** Shown on 429 (FEEDBACK_WRITES_PER_MIN spent): the rating stays as it was. */
  tooMany: string;
}

const feedback: Record<string, FeedbackStrings> = {
  en: { rate: "Was this answer helpful?", helpful: "Helpful", notHelpful: "Not helpful",
        commentLabel: "What was wrong? (optional)", commentPlaceholder: "What was wrong? (optional)",
        send: "Send", skip: "Skip", thanks: "Thanks for your feedback!", failed: "Your rating could not be saved.",
        tooMany: "Too many changes. Please try again in a minute." },
  ru: { rate: "Этот ответ помог?", helpful: "Полезно", notHelpful: "Бесполезно",
        commentLabel: "Что было не так? (необязательно)", commentPlaceholder: "Что было не так? (необязательно)",
        send: "Отправить", skip: "Пропустить", thanks: "Спасибо за отзыв!", failed: "Не удалось сохранить оценку.",
        tooMany: "Слишком много изменений. Попробуйте через минуту." },
  uz: { rate: "Bu javob foydali bo‘ldimi?", helpful: "Foydali", notHelpful: "Foydasiz",
        commentLabel: "Nima noto‘g‘ri edi? (ixtiyoriy)", commentPlaceholder: "Nima noto‘g‘ri edi? (ixtiyoriy)",
        send: "Yuborish", skip: "O‘tkazib yuborish", thanks: "Fikringiz uchun rahmat!", failed: "Bahoni saqlab bo‘lmadi.",
        tooMany: "O‘zgarishlar juda ko‘p. Bir daqiqadan so‘ng qayta urinib ko‘ring." },
};

/** The feedback strings for `lang` ("en", "ru", "uz" or a tag starting with one); English otherwise. */
export function feedbackStrings(lang: string): FeedbackStrings {
  return feedback[lang.slice(0, 2).toLowerCase()] ?? feedback.en;
}
