// Turns any failure into a sentence in the UI language: the API's error codes (docs/api.md
// "Errors") have one message each in the catalogues (errors.<code>), optionally refined per
// screen (errors.<context>.<code>, e.g. a 409 on sign-up means "e-mail or username taken").

import type { TFunction } from "i18next";
import i18n from "./i18n";
import { ApiError } from "./api/client";

/** The localized message for `error` on screen `context` ("signin", "signup", "bot", …). */
export function describeError(t: TFunction, error: unknown, context?: string): string {
  if (!(error instanceof ApiError)) return t("errors.unknown");
  const candidates = [
    context ? `errors.${context}.${error.code}` : "",
    `errors.${error.code}`,
  ].filter(Boolean);
  const key = candidates.find((k) => i18n.exists(k)) ?? "errors.unknown";
  return t(key, { detail: error.message, seconds: error.retryAfter ?? 2 });
}
