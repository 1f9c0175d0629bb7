// i18next with the three catalogues (en / ru / uz, Uzbek in Latin script) bundled as JSON: no
// loading round trip, and a missing key is caught at test time (scripts/check-i18n.mjs). The
// chosen language is kept in localStorage; the first visit follows the browser's languages.

import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import ru from "./ru.json";
import uz from "./uz.json";

export const LANGUAGES = ["en", "ru", "uz"] as const;
export type UiLanguage = (typeof LANGUAGES)[number];
const STORAGE_KEY = "botfactory.dashboard.language";

function isUiLanguage(value: string | null | undefined): value is UiLanguage {
  return !!value && (LANGUAGES as readonly string[]).includes(value);
}

/** The stored choice, else the first of the browser's languages we have, else English. */
function initialLanguage(): UiLanguage {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isUiLanguage(stored)) return stored;
  } catch {
    // storage blocked: fall through
  }
  for (const tag of navigator.languages ?? []) {
    const base = tag.toLowerCase().split("-")[0];
    if (isUiLanguage(base)) return base;
  }
  return "en";
}

const lng = initialLanguage();
document.documentElement.lang = lng;

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ru: { translation: ru }, uz: { translation: uz } },
  lng,
  fallbackLng: "en",
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

/** Switches the UI language and remembers it. */
export function setLanguage(language: UiLanguage): void {
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // not persisted; the switch still applies to this page
  }
}

/** The current UI language. */
export function currentLanguage(): UiLanguage {
  return isUiLanguage(i18n.language) ? i18n.language : "en";
}

export default i18n;
