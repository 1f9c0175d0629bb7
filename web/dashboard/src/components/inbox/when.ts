// Inbox times per UI language with Intl: HH:MM for today, else date and time (format.ts).

import { formatDateTime } from "../../format";

/** "14:05" when `iso` is today (local time), else the date and time of formatDateTime. */
export function formatWhen(iso: string, language: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const now = new Date();
  if (d.toDateString() === now.toDateString()) {
    // Digits and a colon in every language of the dashboard (uz included, where browsers'
    // Intl data is thin): 24-hour HH:MM for ru/uz, the locale's own form for en.
    return new Intl.DateTimeFormat(language === "en" ? "en" : "ru", {
      hour: "2-digit", minute: "2-digit",
    }).format(d);
  }
  return formatDateTime(iso, language);
}
