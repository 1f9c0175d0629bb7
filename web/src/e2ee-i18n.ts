// UI strings of encrypted rooms in the chat page's rooms panel (e2ee/room-view.ts,
// room-create-form.ts) in the three product languages (Uzbek in Latin script).

/** The texts of encrypted rooms and of the panel's signed-in controls. */
export interface E2eeStrings {
  newRoom: string; roomName: string; create: string; private: string; encrypted: string; badge: string;
  notice: string; unreadable: string; noKey: string; invite: string; inviteLink: string; attach: string;
  edit: string; editing: string; cancel: string; edited: string; signedInAs: string; sendFailed: string;
  fileUnavailable: string; openFile: string; createFailed: string;
}

const strings: Record<string, E2eeStrings> = {
  en: {
    newRoom: "New room", roomName: "Room name", create: "Create", private: "Private (invite only)",
    encrypted: "End-to-end encrypted", badge: "End-to-end encrypted room",
    notice: "End-to-end encrypted: the bot and /ai are unavailable in this room",
    unreadable: "🔒 This message cannot be decrypted on this device",
    noKey: "Waiting for a member to share the room key with this device…",
    invite: "Invite", inviteLink: "Invite link (valid 7 days):", attach: "Attach an encrypted file",
    edit: "Edit", editing: "Editing your message — Send saves it", cancel: "Cancel", edited: "edited",
    signedInAs: "Signed in as", sendFailed: "Could not send", fileUnavailable: "file unavailable",
    openFile: "Open", createFailed: "Could not create the room",
  },
  ru: {
    newRoom: "Новая комната", roomName: "Название комнаты", create: "Создать", private: "Закрытая (только по приглашению)",
    encrypted: "Сквозное шифрование", badge: "Комната со сквозным шифрованием",
    notice: "Сквозное шифрование: бот и /ai в этой комнате недоступны",
    unreadable: "🔒 Это сообщение не удаётся расшифровать на этом устройстве",
    noKey: "Ждём, пока кто-то из участников передаст ключ комнаты этому устройству…",
    invite: "Пригласить", inviteLink: "Ссылка-приглашение (действует 7 дней):", attach: "Прикрепить зашифрованный файл",
    edit: "Изменить", editing: "Вы редактируете сообщение — «Отправить» сохранит его", cancel: "Отмена", edited: "изменено",
    signedInAs: "Вы вошли как", sendFailed: "Не удалось отправить", fileUnavailable: "файл недоступен",
    openFile: "Открыть", createFailed: "Не удалось создать комнату",
  },
  uz: {
    newRoom: "Yangi xona", roomName: "Xona nomi", create: "Yaratish", private: "Yopiq (faqat taklif bilan)",
    encrypted: "Uchdan-uchga shifrlangan", badge: "Uchdan-uchga shifrlangan xona",
    notice: "Uchdan-uchga shifrlangan: bu xonada bot va /ai mavjud emas",
    unreadable: "🔒 Bu xabarni ushbu qurilmada shifrdan chiqarib bo‘lmaydi",
    noKey: "A’zolardan biri xona kalitini ushbu qurilmaga ulashishi kutilmoqda…",
    invite: "Taklif qilish", inviteLink: "Taklif havolasi (7 kun amal qiladi):", attach: "Shifrlangan fayl biriktirish",
    edit: "Tahrirlash", editing: "Xabaringizni tahrirlayapsiz — «Yuborish» uni saqlaydi", cancel: "Bekor qilish",
    edited: "tahrirlangan", signedInAs: "Kirgan foydalanuvchi:", sendFailed: "Yuborib bo‘lmadi",
    fileUnavailable: "fayl mavjud emas", openFile: "Ochish", createFailed: "Xonani yaratib bo‘lmadi",
  },
};

/** Strings for `lang`, English for anything unknown. */
export function e2eeStrings(lang: string): E2eeStrings {
  return strings[lang] ?? strings.en!;
}
