// A channel's health as the API reports it (GET /bots/{id}/channels): state badge, last inbound
// message, last delivery error, undelivered counts and, in Telegram webhook mode, Telegram's own
// view of the webhook. Every field may be missing (an older server): missing ones are not shown.

import { useTranslation } from "react-i18next";
import type { ChannelHealth } from "../../api/types";
import { formatDateTime, formatNumber } from "../../format";

const KNOWN_STATES = ["connected", "error", "inactive"];

/** connected → green, error → red, inactive or unknown → grey. */
export function StateBadge({ state }: { state?: string }) {
  const { t } = useTranslation();
  const s = state && KNOWN_STATES.includes(state) ? state : "unknown";
  return (
    <span className={`pill state-${s}`} data-testid="channel-state" data-state={s}>
      {t(`channels.state.${s}`)}
    </span>
  );
}

/** The number of outbound messages the channel gave up on (both field names the API used). */
export function failedCount(h?: ChannelHealth | null): number | undefined {
  const n = h?.failed_deliveries ?? h?.failed_outbound;
  return typeof n === "number" ? n : undefined;
}

export function ChannelHealthView({ health }: { health?: ChannelHealth | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  if (!health) return <p className="muted">{t("channels.noHealth")}</p>;
  const when = (iso?: string | null) => (iso ? formatDateTime(iso, lang) : null);
  const failed = failedCount(health);
  const webhook = health.webhook;
  const webhookError = webhook?.last_error_message ?? webhook?.last_error ?? webhook?.error;
  return (
    <dl className="facts health" data-testid="channel-health">
      {health.error && (
        <div className="wide"><dt>{t("channels.problem")}</dt><dd className="error-text">{health.error}</dd></div>
      )}
      <div>
        <dt>{t("channels.lastInbound")}</dt>
        <dd data-testid="last-inbound">{when(health.last_inbound_at) ?? t("channels.never")}</dd>
      </div>
      {failed !== undefined && (
        <div><dt>{t("channels.failedDeliveries")}</dt><dd data-testid="failed-count">{formatNumber(failed, lang)}</dd></div>
      )}
      {typeof health.pending_outbound === "number" && health.pending_outbound > 0 && (
        <div><dt>{t("channels.pending")}</dt><dd>{formatNumber(health.pending_outbound, lang)}</dd></div>
      )}
      {typeof health.window_closed_outbound === "number" && health.window_closed_outbound > 0 && (
        <div><dt>{t("channels.windowClosed")}</dt><dd>{formatNumber(health.window_closed_outbound, lang)}</dd></div>
      )}
      <div className="wide">
        <dt>{t("channels.lastDeliveryError")}</dt>
        <dd data-testid="last-delivery-error">
          {health.last_delivery_error
            ? <><span className="error-text">{health.last_delivery_error}</span>
              {health.last_delivery_error_at && <span className="muted"> · {when(health.last_delivery_error_at)}</span>}</>
            : t("channels.none")}
        </dd>
      </div>
      {webhook && (
        <>
          {typeof webhook.pending_update_count === "number" && (
            <div><dt>{t("channels.pendingUpdates")}</dt><dd>{formatNumber(webhook.pending_update_count, lang)}</dd></div>
          )}
          <div className="wide">
            <dt>{t("channels.webhookError")}</dt>
            <dd>{webhookError
              ? <><span className="error-text">{webhookError}</span>
                {webhook.last_error_at && <span className="muted"> · {when(webhook.last_error_at)}</span>}</>
              : t("channels.none")}</dd>
          </div>
        </>
      )}
    </dl>
  );
}
