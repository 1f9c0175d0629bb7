// The widget's texts in the three product languages: the chat page's catalogue (web/src/i18n.ts:
// typing, sources, connecting…) plus the widget's own strings.

import { t as pageStrings, type Strings as PageStrings } from "../src/i18n.js";

/** Every text the widget shows. */
export interface Strings extends PageStrings {
  open: string; close: string; conversation: string; message: string; you: string;
  botAnswers: string; personAnswers: string; waiting: string; talkToPerson: string;
  notAllowed: string; notFound: string; unavailable: string;
}

type Own = Omit<Strings, keyof PageStrings>;

const own: Record<"en" | "ru" | "uz", Own> = {
  en: { open: "Open chat", close: "Close chat", conversation: "Conversation", message: "Message", you: "You",
        botAnswers: "The bot answers", personAnswers: "A person is answering", waiting: "Waiting for a person…",
        talkToPerson: "Talk to a person", notAllowed: "This chat is not enabled on this website.",
        notFound: "This chat is not available.", unavailable: "The chat is unavailable right now. Retrying…" },
  ru: { open: "Открыть чат", close: "Закрыть чат", conversation: "Переписка", message: "Сообщение", you: "Вы",
        botAnswers: "Отвечает бот", personAnswers: "Отвечает сотрудник", waiting: "Ждём сотрудника…",
        talkToPerson: "Позвать сотрудника", notAllowed: "Этот чат не подключён на этом сайте.",
        notFound: "Этот чат недоступен.", unavailable: "Чат сейчас недоступен. Повторяем попытку…" },
  uz: { open: "Chatni ochish", close: "Chatni yopish", conversation: "Yozishma", message: "Xabar", you: "Siz",
        botAnswers: "Bot javob bermoqda", personAnswers: "Xodim javob bermoqda", waiting: "Xodim kutilmoqda…",
        talkToPerson: "Xodim bilan gaplashish", notAllowed: "Bu chat ushbu saytda yoqilmagan.",
        notFound: "Bu chat mavjud emas.", unavailable: "Chat hozir ishlamayapti. Qayta urinilmoqda…" },
};

/** The strings for `lang` ("en", "ru", "uz" or a BCP 47 tag starting with one); English otherwise. */
export function strings(lang: string): Strings {
  const code = lang.slice(0, 2).toLowerCase();
  return { ...pageStrings(code), ...((own as Record<string, Own>)[code] ?? own.en) };
}

/** `iso` (RFC 3339) as HH:MM in the viewer's time zone, 24-hour clock; "" when unreadable. */
export function clock(iso: string, lang: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
}
