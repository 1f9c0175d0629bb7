// Plan and usage: the current plan and its period, usage bars (replies, model tokens, bots),
// replies or tokens per day per bot (GET /usage/daily), and the plans side by side.

import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { choosePlan, getDailyUsage, getSubscription, listBots, listPlans } from "../api/endpoints";
import type { Plan } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorMessage } from "../components/ErrorMessage";
import { Meter } from "../components/Meter";
import { formatBytes, formatDate, formatNumber, formatPrice } from "../format";
import { useLoad } from "../useLoad";

// Chart.js (~55 KB gzip) is loaded only when this page is opened.
const UsageChart = lazy(() => import("../components/UsageChart").then((m) => ({ default: m.UsageChart })));

export function PlanPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const sub = useLoad(getSubscription, []);
  const plans = useLoad(listPlans, []);
  const bots = useLoad(listBots, []);
  const daily = useLoad(() => getDailyUsage(30), []);
  const [metric, setMetric] = useState<"replies" | "tokens">("replies");
  const [chosen, setChosen] = useState<Plan | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const s = sub.data;
  const replies = s?.quotas?.bot_replies ?? (s ? { used: s.usage.bot_replies, limit: s.plan.limits.max_replies_per_month } : undefined);
  const tokens = s?.quotas?.model_tokens ?? (s ? { used: s.usage.model_tokens, limit: s.plan.limits.max_tokens_per_month } : undefined);
  const n = (v: number) => formatNumber(v, lang);
  // The catalogue's own name for a known plan code, else the API's (English) name.
  const planName = (p: Plan) => t(`plans.${p.code}`, { defaultValue: p.name });
  const botNames = new Map((bots.data ?? []).map((b) => [b.id, b.name]));

  const confirmPlan = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      sub.setData(await choosePlan(chosen.code));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      setChosen(null);
    }
  };

  return (
    <section>
      <h1>{t("plan.title")}</h1>
      <ErrorMessage error={sub.error ?? plans.error ?? error} context="plan" />
      {s && (
        <div className="card" data-testid="current-plan">
          <div className="page-head">
            <h2>{t("plan.current", { name: planName(s.plan) })}</h2>
            <span className={`pill ${s.status === "expired" ? "warn" : "ok"}`}>{t(`plan.status.${s.status}`)}</span>
          </div>
          <p className="muted">
            {t("plan.period", { start: formatDate(s.current_period_start, lang), end: formatDate(s.current_period_end, lang) })}
          </p>
          <div className="meters">
            {replies && <Meter label={t("usage.replies")} value={replies.used} max={replies.limit} testId="meter-replies"
              text={`${n(replies.used)} / ${n(replies.limit)}`} />}
            {tokens && <Meter label={t("usage.tokens")} value={tokens.used} max={tokens.limit} testId="meter-tokens"
              text={`${n(tokens.used)} / ${n(tokens.limit)}`} />}
            {bots.data && <Meter label={t("usage.bots")} value={bots.data.length} max={s.plan.limits.max_bots} testId="meter-bots"
              text={`${n(bots.data.length)} / ${n(s.plan.limits.max_bots)}`} />}
          </div>
          <p className="hint">{t("plan.tokensHint")}</p>
        </div>
      )}
      <div className="card">
        <div className="page-head">
          <h2>{t("usage.chartTitle")}</h2>
          <div className="segmented" role="group" aria-label={t("usage.metric")}>
            {(["replies", "tokens"] as const).map((m) => (
              <button key={m} type="button" aria-pressed={metric === m} className={metric === m ? "on" : ""}
                onClick={() => setMetric(m)}>
                {t(m === "replies" ? "usage.replies" : "usage.tokens")}
              </button>
            ))}
          </div>
        </div>
        <ErrorMessage error={daily.error} context="plan" />
        {daily.data && (
          <Suspense fallback={<p className="muted">{t("common.loading")}</p>}>
            <UsageChart rows={daily.data.usage} firstDay={daily.data.first_day} lastDay={daily.data.last_day}
              metric={metric} botNames={botNames} />
          </Suspense>
        )}
      </div>
      <h2>{t("plan.plans")}</h2>
      <ul className="plans">
        {plans.data?.map((p) => {
          const current = s?.plan.code === p.code;
          return (
            <li key={p.code} className={`card plan${current ? " current" : ""}`} data-testid={`plan-${p.code}`}>
              <h3>{planName(p)}</h3>
              <p className="price">
                {p.price_cents === 0 ? t("plan.free") : t("plan.perMonth", { price: formatPrice(p.price_cents, p.currency, lang) })}
              </p>
              {p.trial_days > 0 && <p className="muted">{t("plan.trialDays", { days: p.trial_days })}</p>}
              <ul className="limits">
                <li>{t("plan.limitBots", { n: n(p.limits.max_bots) })}</li>
                <li>{t("plan.limitReplies", { n: n(p.limits.max_replies_per_month) })}</li>
                <li>{t("plan.limitTokens", { n: n(p.limits.max_tokens_per_month) })}</li>
                <li>{t("plan.limitKnowledge", { size: formatBytes(p.limits.max_knowledge_bytes, lang, t) })}</li>
                <li>{t("plan.limitChannels", { n: n(p.limits.max_channels) })}</li>
              </ul>
              {current ? <span className="pill ok">{t("plan.yourPlan")}</span>
                : p.code === "trial" ? null
                : <button type="button" className="button" onClick={() => setChosen(p)}>{t("plan.choose")}</button>}
            </li>
          );
        })}
      </ul>
      <ConfirmDialog open={!!chosen} busy={busy} title={t("plan.confirmTitle", { name: chosen ? planName(chosen) : "" })}
        message={t("plan.confirmText")} confirmLabel={t("plan.choose")}
        onConfirm={confirmPlan} onCancel={() => setChosen(null)} />
    </section>
  );
}
