// The message for a failed channel call: a channel-specific sentence when the catalogue has one
// (channels.errors.<code>: a 409 here means "connected already / no public address", not a
// generic conflict), else the dashboard-wide one (errors.<code>). The API's own message is shown
// as the detail, since it names Telegram's or Meta's reason.

import type { TFunction } from "i18next";
import { ApiError } from "../../api/client";
import { describeError } from "../../errors";
import i18n from "../../i18n";

export function channelError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && i18n.exists(`channels.errors.${error.code}`)) {
    return t(`channels.errors.${error.code}`, { detail: error.message, seconds: error.retryAfter ?? 2 });
  }
  return describeError(t, error);
}
