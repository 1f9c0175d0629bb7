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

/** The texts of member verification (safety numbers) in encrypted rooms (e2ee/verify-panel.ts). */
export interface VerifyStrings {
  verifyMembers: string; title: string; help: string; markVerified: string; unverify: string;
  verified: string; unverified: string; changed: string; noDevice: string; close: string;
  /** "{name}" is replaced by the member's name. */
  keysChanged: string; numberWith: string; loadFailed: string;
}

const verifyTexts: Record<string, VerifyStrings> = {
  en: {
    verifyMembers: "Verify members", title: "Safety numbers",
    help: "Compare the number with each member in person or on a call you trust. If it matches, mark them as verified: this browser then stops sharing new room keys with devices added to their account later, until you verify again.",
    markVerified: "Mark as verified", unverify: "Unverify", verified: "Verified", unverified: "Not verified",
    changed: "Keys changed since you verified", noDevice: "No encrypted device yet", close: "Close",
    keysChanged: "{name}'s keys changed — verify again to let them read new messages",
    numberWith: "Safety number with {name}", loadFailed: "Could not load the members",
  },
  ru: {
    verifyMembers: "Проверить участников", title: "Коды безопасности",
    help: "Сверьте код с каждым участником лично или по звонку, которому доверяете. Если совпадает, отметьте участника как проверенного: тогда этот браузер не будет передавать новые ключи комнаты устройствам, добавленным к его учётной записи позже, пока вы не проверите его снова.",
    markVerified: "Отметить как проверенного", unverify: "Снять отметку", verified: "Проверен", unverified: "Не проверен",
    changed: "Ключи изменились после проверки", noDevice: "Пока нет устройства с ключом", close: "Закрыть",
    keysChanged: "Ключи участника {name} изменились — проверьте заново, чтобы он мог читать новые сообщения",
    numberWith: "Код безопасности с {name}", loadFailed: "Не удалось загрузить участников",
  },
  uz: {
    verifyMembers: "A’zolarni tasdiqlash", title: "Xavfsizlik raqamlari",
    help: "Raqamni har bir a’zo bilan shaxsan yoki ishonchli qo‘ng‘iroqda solishtiring. Mos kelsa, uni tasdiqlangan deb belgilang: shunda bu brauzer, qayta tasdiqlamaguningizcha, uning hisobiga keyin qo‘shilgan qurilmalarga xonaning yangi kalitlarini bermaydi.",
    markVerified: "Tasdiqlangan deb belgilash", unverify: "Tasdiqni bekor qilish", verified: "Tasdiqlangan",
    unverified: "Tasdiqlanmagan", changed: "Tasdiqlaganingizdan keyin kalitlar o‘zgardi", noDevice: "Hali shifrlangan qurilmasi yo‘q",
    close: "Yopish", keysChanged: "{name} kalitlari o‘zgardi — yangi xabarlarni o‘qiy olishi uchun qayta tasdiqlang",
    numberWith: "{name} bilan xavfsizlik raqami", loadFailed: "A’zolarni yuklab bo‘lmadi",
  },
};

/** Verification strings for `lang`, English for anything unknown. */
export function verifyStrings(lang: string): VerifyStrings {
  return verifyTexts[lang] ?? verifyTexts.en!;
}
