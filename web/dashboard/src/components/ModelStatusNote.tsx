import { useTranslation } from "react-i18next";
import { getModelStatus } from "../api/endpoints";
import { formatDateTime } from "../format";
import { useLoad } from "../useLoad";

const REASONS = new Set(["no_key", "provider_unavailable", "provider_rate_limited", "provider_refused",
  "circuit_open", "token_allowance_exhausted"]);

/**
 * The bot's model status (GET /bots/{id}/model-status, docs/api.md "Model status"): when
 * `degraded`, a warning naming the fallback reason and when it happened; when `ok`, a quiet
 * "last model reply" line if there was one. Renders nothing while loading or if the fetch fails.
 */
export function ModelStatusNote({ botId }: { botId: string }) {
  const { t, i18n } = useTranslation();
  const { data } = useLoad(() => getModelStatus(botId), [botId]);
  if (!data) return null;
  if (data.state === "degraded") {
    const code = data.last_fallback_reason ?? "";
    const reason = t(REASONS.has(code) ? `modelStatus.reason_${code}` : "modelStatus.reason_unknown");
    const when = data.last_fallback_at ? formatDateTime(data.last_fallback_at, i18n.language) : "—";
    return <p className="notice" data-testid="model-degraded">{t("modelStatus.degraded", { reason, when })}</p>;
  }
  if (!data.last_model_reply_at) return null;
  return (
    <p className="muted" data-testid="model-last-reply">
      {t("modelStatus.lastModelReply", { when: formatDateTime(data.last_model_reply_at, i18n.language) })}
    </p>
  );
}
