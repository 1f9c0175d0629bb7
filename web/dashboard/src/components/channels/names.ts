import type { ChannelType } from "../../api/types";

/** Product names, the same in every language. */
export const CHANNEL_NAMES: Record<ChannelType, string> = {
  telegram: "Telegram",
  whatsapp: "WhatsApp",
  instagram: "Instagram",
};

/** "Telegram · @shop_bot"; just the display name when it names the product already
 *  ("WhatsApp 106540352242922"). */
export function channelTitle(type: ChannelType, displayName?: string): string {
  const name = CHANNEL_NAMES[type] ?? type;
  if (!displayName) return name;
  return displayName.startsWith(name) ? displayName : `${name} · ${displayName}`;
}
