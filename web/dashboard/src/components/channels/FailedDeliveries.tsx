// The outbound messages a channel gave up on (GET …/deliveries?status=failed) and a button that
// queues them again (POST …/deliveries/replay). Loaded on demand; an older server without these
// routes answers 404/405, shown as "not available on this server".

import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { listFailedDeliveries, replayDeliveries } from "../../api/endpoints";
import type { ChannelDelivery } from "../../api/types";
import { formatDateTime, formatNumber } from "../../format";
import { channelError } from "./channelError";

export function FailedDeliveries(props: { botId: string; channelId: string; onReplayed: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [rows, setRows] = useState<ChannelDelivery[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [unsupported, setUnsupported] = useState(false);
  const [replayed, setReplayed] = useState<number | null>(null);

  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      setRows(await listFailedDeliveries(props.botId, props.channelId, 20));
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) setUnsupported(true);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const replay = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await replayDeliveries(props.botId, props.channelId, rows?.map((d) => d.id));
      setReplayed(r.replayed ?? 0);
      setRows(await listFailedDeliveries(props.botId, props.channelId, 20));
      props.onReplayed();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (unsupported) return <p className="hint" data-testid="failed-deliveries">{t("channels.deliveriesUnsupported")}</p>;
  return (
    <div className="deliveries" data-testid="failed-deliveries">
      {rows === null ? (
        <button type="button" className="button secondary small" disabled={busy} onClick={load} data-testid="show-failed">
          {t("channels.showFailed")}
        </button>
      ) : rows.length === 0 ? (
        <p className="muted">{t("channels.noFailed")}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">{t("channels.failedTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("channels.message")}</th>
                  <th scope="col">{t("channels.chat")}</th>
                  <th scope="col" className="num">{t("channels.attempts")}</th>
                  <th scope="col">{t("channels.reason")}</th>
                  <th scope="col">{t("channels.failedAt")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={d.id} data-testid="delivery-row">
                    <td data-label={t("channels.message")} className="clip">{d.text_preview ?? "—"}</td>
                    <td data-label={t("channels.chat")}><code>{d.chat_id ?? "—"}</code></td>
                    <td data-label={t("channels.attempts")} className="num">{formatNumber(d.attempts ?? 0, lang)}</td>
                    <td data-label={t("channels.reason")} className="error-text">{d.last_error ?? "—"}</td>
                    <td data-label={t("channels.failedAt")}>{d.failed_at ? formatDateTime(d.failed_at, lang) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" className="button small top-gap" disabled={busy} onClick={replay} data-testid="replay">
            {t("channels.replay", { count: rows.length })}
          </button>
        </>
      )}
      <p role="status" className="ok">{replayed !== null ? t("channels.replayed", { count: replayed }) : ""}</p>
      {error !== null && <p className="error" role="alert">{channelError(t, error)}</p>}
    </div>
  );
}
