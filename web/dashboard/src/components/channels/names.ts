import type { ChannelType } from "../../api/types";

/** Product names, the same in every language. */
export const CHANNEL_NAMES: Record<ChannelType, string> = {
  telegram: "Telegram",
  whatsapp: "WhatsApp",
  instagram: "Instagram",
};
