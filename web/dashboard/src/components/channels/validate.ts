// Client-side checks of the connect form, mirroring the API's rules (docs/api.md, POST
// /bots/{id}/channels) so a typo is caught before the round trip; the server checks again.

import type { ChannelInput, ChannelType } from "../../api/types";

/** The form's raw values (every field of every type; only the chosen type's are sent). */
export interface ChannelForm {
  type: ChannelType;
  token: string;
  mode: "polling" | "webhook";
  phone_number_id: string;
  instagram_account_id: string;
  access_token: string;
  app_secret: string;
  verify_token: string;
}

export const EMPTY_FORM: ChannelForm = {
  type: "telegram", token: "", mode: "polling", phone_number_id: "", instagram_account_id: "",
  access_token: "", app_secret: "", verify_token: "",
};

/** The fields the form shows for `type`, in order. */
export const FIELDS: Record<ChannelType, (keyof ChannelForm)[]> = {
  telegram: ["token"],
  whatsapp: ["phone_number_id", "access_token", "app_secret", "verify_token"],
  instagram: ["instagram_account_id", "access_token", "app_secret", "verify_token"],
};

/** A BotFather token: `<digits>:<20+ of A-Z a-z 0-9 _ ->`, at most 100 characters. */
const TELEGRAM_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{20,}$/;
const DIGITS = /^\d{1,32}$/;
/** Printable ASCII (U+0021–U+007E): Meta's tokens and secrets never hold spaces. */
const PRINTABLE = /^[\x21-\x7e]+$/;
const MAX: Partial<Record<keyof ChannelForm, number>> = {
  token: 100, access_token: 2048, app_secret: 256, verify_token: 256,
};

/** An error per invalid field, as a catalogue key under channels.invalid (empty when valid). */
export function validate(form: ChannelForm): Partial<Record<keyof ChannelForm, string>> {
  const errors: Partial<Record<keyof ChannelForm, string>> = {};
  for (const field of FIELDS[form.type]) {
    const v = String(form[field]).trim();
    if (!v) errors[field] = "channels.invalid.required";
    else if (field === "token" && (v.length > 100 || !TELEGRAM_TOKEN.test(v))) errors[field] = "channels.invalid.token";
    else if ((field === "phone_number_id" || field === "instagram_account_id") && !DIGITS.test(v)) errors[field] = "channels.invalid.digits";
    else if (MAX[field] !== undefined && v.length > MAX[field]!) errors[field] = "channels.invalid.tooLong";
    else if (field !== "token" && !PRINTABLE.test(v)) errors[field] = "channels.invalid.printable";
  }
  return errors;
}

/** The POST body for the form's type (trimmed values; nothing of the other types). */
export function toInput(form: ChannelForm): ChannelInput {
  const v = (k: keyof ChannelForm) => String(form[k]).trim();
  if (form.type === "telegram") return { type: "telegram", token: v("token"), mode: form.mode };
  const meta = { access_token: v("access_token"), app_secret: v("app_secret"), verify_token: v("verify_token") };
  if (form.type === "whatsapp") return { type: "whatsapp", phone_number_id: v("phone_number_id"), ...meta };
  return { type: "instagram", instagram_account_id: v("instagram_account_id"), ...meta };
}
