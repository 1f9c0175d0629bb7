// UI strings of the chat page's rooms panel (rooms-panel.ts) in the three product languages.

/** The texts of the rooms panel. */
export interface RoomStrings {
  title: string; empty: string; join: string; open: string; members: string; online: string;
  typing: string; placeholder: string; send: string; joined: string; left: string; removed: string;
  back: string; error: string;
}

const strings: Record<string, RoomStrings> = {
  en: { title: "Rooms", empty: "No public rooms yet.", join: "Join", open: "Open", members: "members",
        online: "Online", typing: "is typing…", placeholder: "Write to the room…", send: "Send",
        joined: "joined", left: "left", removed: "was removed", back: "All rooms", error: "Rooms are unavailable" },
  ru: { title: "Комнаты", empty: "Открытых комнат пока нет.", join: "Войти", open: "Открыть", members: "участников",
        online: "В сети", typing: "печатает…", placeholder: "Напишите в комнату…", send: "Отправить",
        joined: "присоединился", left: "вышел", removed: "удалён", back: "Все комнаты", error: "Комнаты недоступны" },
  uz: { title: "Xonalar", empty: "Hozircha ochiq xonalar yo‘q.", join: "Qo‘shilish", open: "Ochish", members: "a’zo",
        online: "Onlayn", typing: "yozmoqda…", placeholder: "Xonaga yozing…", send: "Yuborish",
        joined: "qo‘shildi", left: "chiqib ketdi", removed: "chiqarildi", back: "Barcha xonalar", error: "Xonalar mavjud emas" },
};

/** Strings for `lang`, English for anything unknown. */
export function roomStrings(lang: string): RoomStrings {
  return strings[lang] ?? strings.en!;
}
