// edits + calls: UI strings of the chat page's edit / delete controls and call panel, in the
// three product languages (the page's other strings are in i18n.ts).

export interface EditStrings {
  edit: string; delete: string; save: string; cancel: string; edited: string; deleted: string;
  confirmDelete: string; windowClosed: string;
}

export interface CallStrings {
  call: string; hangUp: string; accept: string; decline: string; incoming: string; calling: string;
  inCall: string; ended: string; busy: string; missed: string; noAnswer: string; declined: string;
  noOperator: string; noMicrophone: string;
}

const edits: Record<string, EditStrings> = {
  en: { edit: "Edit", delete: "Delete", save: "Save", cancel: "Cancel", edited: "edited",
        deleted: "Message deleted", confirmDelete: "Delete this message?",
        windowClosed: "Messages can be changed only within 5 minutes" },
  ru: { edit: "Изменить", delete: "Удалить", save: "Сохранить", cancel: "Отмена", edited: "изменено",
        deleted: "Сообщение удалено", confirmDelete: "Удалить это сообщение?",
        windowClosed: "Сообщение можно изменить только в течение 5 минут" },
  uz: { edit: "Tahrirlash", delete: "O‘chirish", save: "Saqlash", cancel: "Bekor qilish", edited: "tahrirlangan",
        deleted: "Xabar o‘chirildi", confirmDelete: "Bu xabar o‘chirilsinmi?",
        windowClosed: "Xabarni faqat 5 daqiqa ichida o‘zgartirish mumkin" },
};

const calls: Record<string, CallStrings> = {
  en: { call: "Call", hangUp: "Hang up", accept: "Accept", decline: "Decline", incoming: "is calling you",
        calling: "Calling…", inCall: "In call", ended: "Call ended", busy: "The operator is busy",
        missed: "Missed call", noAnswer: "No answer", declined: "Call declined",
        noOperator: "A call is possible once an operator has joined the chat",
        noMicrophone: "Microphone unavailable" },
  ru: { call: "Позвонить", hangUp: "Завершить", accept: "Принять", decline: "Отклонить", incoming: "звонит вам",
        calling: "Вызов…", inCall: "Идёт звонок", ended: "Звонок завершён", busy: "Оператор занят",
        missed: "Пропущенный звонок", noAnswer: "Нет ответа", declined: "Звонок отклонён",
        noOperator: "Позвонить можно, когда к чату подключится оператор",
        noMicrophone: "Микрофон недоступен" },
  uz: { call: "Qo‘ng‘iroq", hangUp: "Tugatish", accept: "Qabul qilish", decline: "Rad etish", incoming: "sizga qo‘ng‘iroq qilmoqda",
        calling: "Qo‘ng‘iroq qilinmoqda…", inCall: "Suhbat davom etmoqda", ended: "Qo‘ng‘iroq tugadi", busy: "Operator band",
        missed: "O‘tkazib yuborilgan qo‘ng‘iroq", noAnswer: "Javob yo‘q", declined: "Qo‘ng‘iroq rad etildi",
        noOperator: "Operator chatga qo‘shilgach qo‘ng‘iroq qilish mumkin",
        noMicrophone: "Mikrofon mavjud emas" },
};

/** Edit strings for `lang`, English for anything unknown. */
export function editStrings(lang: string): EditStrings {
  return edits[lang] ?? edits.en;
}

/** Call strings for `lang`, English for anything unknown. */
export function callStrings(lang: string): CallStrings {
  return calls[lang] ?? calls.en;
}
