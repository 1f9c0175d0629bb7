import { useTranslation } from "react-i18next";
import { LANGUAGES, setLanguage, type UiLanguage } from "../i18n";

/** Names of the languages in themselves (not translated: a reader finds their own). */
const NATIVE: Record<UiLanguage, string> = { en: "English", ru: "Русский", uz: "Oʻzbekcha" };

/** The UI language picker (persisted in localStorage). */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  return (
    <label className="lang">
      <span className="sr-only">{t("nav.language")}</span>
      <select value={i18n.language} data-testid="language"
        onChange={(e) => setLanguage(e.target.value as UiLanguage)}>
        {LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{NATIVE[l]}</option>)}
      </select>
    </label>
  );
}
