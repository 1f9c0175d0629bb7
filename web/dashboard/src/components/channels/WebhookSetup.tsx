// What to register on the far side: for WhatsApp and Instagram, the Callback URL and the verify
// token to enter in the Meta app (docs/channels.md); for Telegram webhook mode, the URL BotFactory
// registered itself. Copyable; says so when the server has no public address.

import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Channel } from "../../api/types";

export function WebhookSetup({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const url = channel.webhook_url ?? channel.health?.webhook?.url ?? channel.health?.webhook?.registered_url ?? null;
  const meta = channel.type === "whatsapp" || channel.type === "instagram";
  if (!meta && channel.mode !== "webhook") return <p className="hint">{t("channels.pollingNote")}</p>;
  if (!url) return <p className="notice">{t("channels.noPublicUrl")}</p>;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="webhook" data-testid="webhook-setup">
      <p className="hint">{meta ? t(`channels.metaSteps.${channel.type}`) : t("channels.telegramWebhookNote")}</p>
      <div className="row wrap">
        <code data-testid="webhook-url">{url}</code>
        <button type="button" className="button secondary small" onClick={copy}>
          {copied ? t("channels.copied") : t("channels.copyUrl")}
        </button>
        <span className="sr-only" role="status">{copied ? t("channels.copied") : ""}</span>
      </div>
      {meta && <p className="hint">{t("channels.verifyReminder")}</p>}
    </div>
  );
}
