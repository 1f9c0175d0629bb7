// Numbers, sizes and dates formatted for the UI language with Intl (uz → "uz-Latn"; dates in
// Uzbek are built here, since browsers often lack Uzbek month names).

import type { TFunction } from "i18next";

/** Whether this browser's Intl has Uzbek number data: Debian's Chromium claims "uz" but formats
 *  1000.5 as "1,000.5" (English), where Uzbek writes "1 000,5". */
const UZ_SUPPORTED = new Intl.NumberFormat("uz").format(1000.5) !== "1,000.5";

/** The Intl locale for numbers: Uzbek groups and decimals like Russian ("200 000,5"), so
 *  without Uzbek data "ru" gives the right digits. */
function locale(language: string): string {
  if (language !== "uz") return language;
  return UZ_SUPPORTED ? "uz-Latn" : "ru";
}

/** 12345 → "12,345" (en), "12 345" (ru, uz). */
export function formatNumber(n: number, language: string): string {
  return new Intl.NumberFormat(locale(language)).format(n);
}

/** Bytes as B / KB / MB / GB (1024-based), unit names from the catalogue. */
export function formatBytes(bytes: number, language: string, t: TFunction): string {
  const units = ["units.b", "units.kb", "units.mb", "units.gb"] as const;
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i += 1;
  }
  const digits = i === 0 || value >= 100 ? 0 : 1;
  const n = new Intl.NumberFormat(locale(language), { maximumFractionDigits: digits }).format(value);
  return `${n} ${t(units[i])}`;
}

/** Uzbek (Latin) month names: browsers' ICU data for "uz" lacks them ("2026 M11 29"). */
const UZ_MONTHS = ["yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avgust", "sentabr",
  "oktabr", "noyabr", "dekabr"];

/** "29-noyabr, 2026" (+ ", 21:19"), the usual Uzbek form, in local time or UTC. */
function uzDate(d: Date, withTime: boolean, utc: boolean, withYear = true): string {
  const day = utc ? d.getUTCDate() : d.getDate();
  const month = UZ_MONTHS[utc ? d.getUTCMonth() : d.getMonth()];
  const year = utc ? d.getUTCFullYear() : d.getFullYear();
  let out = withYear ? `${day}-${month}, ${year}` : `${day}-${month.slice(0, 3)}`;
  if (withTime) {
    const pad = (n: number) => String(n).padStart(2, "0");
    out += `, ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  return out;
}

/** An RFC 3339 timestamp as a local date and time. */
export function formatDateTime(iso: string, language: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (language === "uz") return uzDate(d, true, false);
  return new Intl.DateTimeFormat(locale(language), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

/** An RFC 3339 timestamp or a YYYY-MM-DD day as a date (days are UTC, docs/api.md). */
export function formatDate(iso: string, language: string, options?: Intl.DateTimeFormatOptions): string {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00Z`) : new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (language === "uz") return uzDate(d, false, true, !options?.day || !!options?.year);
  return new Intl.DateTimeFormat(locale(language), { dateStyle: "medium", timeZone: "UTC", ...options }).format(d);
}

/** A price in cents as currency, e.g. 1900 USD → "$19". */
export function formatPrice(cents: number, currency: string, language: string): string {
  return new Intl.NumberFormat(locale(language), {
    style: "currency", currency, maximumFractionDigits: cents % 100 === 0 ? 0 : 2,
  }).format(cents / 100);
}
