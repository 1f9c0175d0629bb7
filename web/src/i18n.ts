// UI strings of the chat page in the three product languages.

export type Lang = "en" | "ru" | "uz";

/** The texts of the chat page. */
export interface Strings {
  placeholder: string; send: string; connecting: string; online: string; offline: string;
  missingBot: string; typing: string; error: string;
  /** Heading of the list of documents a bot reply cites. */
  sources: string;
  /** Accessible name of a citation marker: "source 2". */
  sourceLabel: string;
  /** files: the attach button, the lightbox, upload errors. */
  attach: string; openImage: string; closeImage: string; fileTooLarge: string; fileUnsupported: string;
  uploadFailed: string; fileUnavailable: string;
  /** look: accessible name of the suggested questions' group. */
  suggestions: string;
}

const strings: Record<Lang, Strings> = {
  en: { placeholder: "Type your question…", send: "Send", connecting: "Connecting…", online: "Online",
        offline: "Reconnecting…", missingBot: "Add ?bot=<public id> to the address to chat with a bot.",
        typing: "is typing…", error: "Something went wrong", sources: "Sources", sourceLabel: "source",
        attach: "Attach a file", openImage: "Open image", closeImage: "Close",
        fileTooLarge: "The file is too large for this chat.", fileUnsupported: "Only pictures (PNG, JPEG, WebP, GIF) and PDF files can be sent.",
        uploadFailed: "The file could not be sent.", fileUnavailable: "unavailable",
        suggestions: "Suggested questions" },
  ru: { placeholder: "Введите ваш вопрос…", send: "Отправить", connecting: "Подключение…", online: "В сети",
        offline: "Переподключение…", missingBot: "Добавьте ?bot=<public id> к адресу, чтобы начать чат.",
        typing: "печатает…", error: "Что-то пошло не так", sources: "Источники", sourceLabel: "источник",
        attach: "Прикрепить файл", openImage: "Открыть изображение", closeImage: "Закрыть",
        fileTooLarge: "Файл слишком большой для этого чата.", fileUnsupported: "Можно отправлять только изображения (PNG, JPEG, WebP, GIF) и PDF.",
        uploadFailed: "Не удалось отправить файл.", fileUnavailable: "недоступно",
        suggestions: "Предлагаемые вопросы" },
  uz: { placeholder: "Savolingizni yozing…", send: "Yuborish", connecting: "Ulanmoqda…", online: "Onlayn",
        offline: "Qayta ulanmoqda…", missingBot: "Suhbat uchun manzilga ?bot=<public id> qo‘shing.",
        typing: "yozmoqda…", error: "Xatolik yuz berdi", sources: "Manbalar", sourceLabel: "manba",
        attach: "Fayl biriktirish", openImage: "Rasmni ochish", closeImage: "Yopish",
        fileTooLarge: "Fayl bu suhbat uchun juda katta.", fileUnsupported: "Faqat rasmlar (PNG, JPEG, WebP, GIF) va PDF fayllarni yuborish mumkin.",
        uploadFailed: "Faylni yuborib bo‘lmadi.", fileUnavailable: "mavjud emas",
        suggestions: "Tavsiya etilgan savollar" },
};

/** Strings for `lang`, English for anything unknown. */
export function t(lang: string): Strings {
  return (strings as Record<string, Strings>)[lang] ?? strings.en;
}
