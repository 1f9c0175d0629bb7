// One connected channel: its name, mode and masked credentials, health, what to register in
// Meta's or Telegram's settings, failed deliveries with replay, and disconnect (confirmed).

import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { disconnectChannel } from "../../api/endpoints";
import type { Channel } from "../../api/types";
import { ConfirmDialog } from "../ConfirmDialog";
import { formatDateTime } from "../../format";
import { channelError } from "./channelError";
import { ChannelHealthView, StateBadge, failedCount } from "./ChannelHealthView";
import { FailedDeliveries } from "./FailedDeliveries";
import { CHANNEL_NAMES, channelTitle } from "./names";
import { WebhookSetup } from "./WebhookSetup";

export function ChannelCard(props: { botId: string; channel: Channel; onChange: () => void; onRemoved: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const c = props.channel;
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const name = CHANNEL_NAMES[c.type] ?? c.type;
  const failed = failedCount(c.health);
  // Shown while anything failed, and kept after a replay empties it (so its result stays visible).
  const [deliveries, setDeliveries] = useState(false);
  useEffect(() => { if (failed === undefined || failed > 0) setDeliveries(true); }, [failed]);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await disconnectChannel(props.botId, c.id);
      setConfirm(false);
      props.onRemoved(c.id);
    } catch (e) {
      setError(e);
      setConfirm(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card channel" data-testid="channel-card" data-type={c.type}>
      <div className="page-head">
        <h3 data-testid="channel-name">{channelTitle(c.type, c.display_name)}</h3>
        <StateBadge state={c.health?.state} />
      </div>
      <dl className="facts">
        <div><dt>{t("channels.mode")}</dt><dd>{t(`channels.modes.${c.mode === "polling" ? "polling" : "webhook"}`)}</dd></div>
        <div>
          <dt>{t("channels.credentials")}</dt>
          <dd><code data-testid="credentials-hint">{c.credentials_hint ? `•••• ${c.credentials_hint.replace(/^…/, "")}` : "••••"}</code></dd>
        </div>
        {c.created_at && <div><dt>{t("channels.connectedAt")}</dt><dd>{formatDateTime(c.created_at, i18n.language)}</dd></div>}
      </dl>
      <h4>{t("channels.health")}</h4>
      <ChannelHealthView health={c.health} />
      <WebhookSetup channel={c} />
      {deliveries && (
        <FailedDeliveries botId={props.botId} channelId={c.id} onReplayed={props.onChange} />
      )}
      {error !== null && <p className="error" role="alert">{channelError(t, error)}</p>}
      <div className="row">
        <button type="button" className="button danger small" disabled={busy} onClick={() => setConfirm(true)}
          data-testid="disconnect">
          {t("channels.disconnect")}
        </button>
      </div>
      {confirm && <ConfirmDialog open={confirm} busy={busy} danger title={t("channels.disconnectTitle", { name: c.display_name || name })}
        message={t("channels.disconnectText", { type: name })} confirmLabel={t("channels.disconnect")}
        onConfirm={remove} onCancel={() => setConfirm(false)} />}
    </li>
  );
}
