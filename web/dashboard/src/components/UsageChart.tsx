import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { UsageRow } from "../api/types";
import { formatDate, formatNumber } from "../format";

const COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4b5563", "#db2777"];
const PAD = { left: 48, right: 8, top: 10, bottom: 26 };

/** Every UTC day from `first` to `last` (YYYY-MM-DD), inclusive. */
function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  const d = new Date(`${first}T00:00:00Z`);
  const end = new Date(`${last}T00:00:00Z`);
  while (d <= end && out.length < 400) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** A round axis maximum ≥ `v` (1, 2, 5 × 10^n). */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * Stacked bars of `metric` (replies or model tokens) per UTC day, one colour per bot, from the
 * rows of GET /usage/daily (days without a row are zero). Plain SVG: a few dozen rectangles do
 * not need a chart library.
 */
export function UsageChart(props: {
  rows: UsageRow[];
  firstDay: string;
  lastDay: string;
  metric: "replies" | "tokens";
  botNames: Map<string, string>;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  // Drawn at the figure's own width (1 SVG unit = 1 CSS pixel), so the axis text keeps its size
  // from 375 px phones to desktops.
  const figure = useRef<HTMLElement>(null);
  const [W, setW] = useState(720);
  useEffect(() => {
    const el = figure.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setW(Math.max(260, Math.round(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const H = W < 500 ? 180 : 220;
  const days = daysBetween(props.firstDay, props.lastDay);
  const botIds = [...new Set(props.rows.map((r) => r.bot_id))];
  const byDay = new Map<string, UsageRow[]>();
  for (const r of props.rows) byDay.set(r.day, [...(byDay.get(r.day) ?? []), r]);
  const totals = days.map((d) => (byDay.get(d) ?? []).reduce((s, r) => s + r[props.metric], 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const color = (botId: string) => COLORS[botIds.indexOf(botId) % COLORS.length];
  const name = (botId: string) => props.botNames.get(botId) ?? t("usage.deletedBot");
  const total = totals.reduce((a, b) => a + b, 0);
  const metricLabel = t(props.metric === "replies" ? "usage.replies" : "usage.tokens");
  const labelEvery = Math.max(1, Math.ceil(days.length / Math.max(2, Math.floor(W / 90))));

  return (
    <figure className="chart" data-testid="usage-chart" ref={figure}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img"
        aria-label={t("usage.chartSummary", { metric: metricLabel, total: formatNumber(total, lang), days: days.length })}>
        {(Number.isInteger(max / 2) ? [0, 0.5, 1] : [0, 1]).map((f) => (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} className="grid" />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end" className="axis">
              {formatNumber(max * f, lang)}
            </text>
          </g>
        ))}
        {days.map((day, i) => {
          let acc = 0;
          const x = PAD.left + i * slot + (slot - barW) / 2;
          return (
            <g key={day}>
              {(byDay.get(day) ?? []).map((r) => {
                const v = r[props.metric];
                if (v <= 0) return null;
                const top = y(acc + v);
                const h = y(acc) - top;
                acc += v;
                return (
                  <rect key={r.bot_id} x={x} y={top} width={barW} height={Math.max(1, h)} fill={color(r.bot_id)}>
                    <title>{`${formatDate(day, lang)} · ${name(r.bot_id)}: ${formatNumber(v, lang)}`}</title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 && (
                <text x={x + barW / 2} y={H - 8} textAnchor="middle" className="axis">
                  {formatDate(day, lang, { dateStyle: undefined, day: "numeric", month: "short" })}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {botIds.length === 0 ? <span>{t("usage.noData")}</span> : botIds.map((id) => (
          <span key={id} className="legend-item">
            <span className="swatch" style={{ background: color(id) }} aria-hidden="true" />
            {name(id)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
