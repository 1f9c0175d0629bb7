// A visitor's name as the inbox shows it. A visitor who gave no name gets a generated one,
// "Guest NNNN" (services/gateway/src/rest/rest_api.cpp generated_guest_name, and
// channel-connector's chat_service.cpp); it is stored in English, so it is shown in the UI
// language ("Гость 4821", "Mehmon 4821"). A name the visitor gave is shown as given.

import type { TFunction } from "i18next";

const GENERATED = /^Guest (\d{1,9})$/;

/** `name` for display: the generated "Guest NNNN" in the UI language, else `name` unchanged. */
export function visitorName(name: string, t: TFunction): string {
  const m = GENERATED.exec(name);
  return m ? t("inbox.guest", { number: m[1] }) : name;
}
