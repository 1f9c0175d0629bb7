// Replies or model tokens per UTC day, stacked per bot, drawn with Chart.js (canvas; see
// docs/architecture.md for the choice). The canvas carries a one-line summary for screen readers
// and the figure a table of the same numbers (days with usage × bots), so nothing is only visual.
// Numbers and dates follow the UI language (format.ts).

import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import {
  BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip, type ChartConfiguration,
} from "chart.js";
import type { UsageRow } from "../api/types";
import { formatDate, formatNumber } from "../format";

// Only the pieces a stacked bar chart needs (keeps the bundle small: Chart.js is tree-shakable).
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4b5563", "#db2777"];

/** Every UTC day from `first` to `last` (YYYY-MM-DD), inclusive (at most 400). */
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

/**
 * The chart of `metric` per day and bot from the rows of GET /usage/daily (days without a row
 * are zero); `botNames` maps bot ids to names (a deleted bot gets "Deleted bot").
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
  const canvas = useRef<HTMLCanvasElement>(null);
  const days = daysBetween(props.firstDay, props.lastDay);
  const botIds = [...new Set(props.rows.map((r) => r.bot_id))];
  const value = (day: string, bot: string) =>
    props.rows.find((r) => r.day === day && r.bot_id === bot)?.[props.metric] ?? 0;
  const name = (botId: string) => props.botNames.get(botId) ?? t("usage.deletedBot");
  const color = (i: number) => COLORS[i % COLORS.length];
  const dayTotal = (day: string) => botIds.reduce((s, b) => s + value(day, b), 0);
  const total = days.reduce((s, d) => s + dayTotal(d), 0);
  const usedDays = days.filter((d) => dayTotal(d) > 0);
  const metricLabel = t(props.metric === "replies" ? "usage.replies" : "usage.tokens");
  const shortDay = (d: string) => formatDate(d, lang, { dateStyle: undefined, day: "numeric", month: "short" });
  const key = JSON.stringify([props.rows, props.metric, lang, days[0], [...props.botNames]]);

  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration<"bar"> = {
      type: "bar",
      data: {
        labels: days.map(shortDay),
        datasets: botIds.map((b, i) => ({
          label: name(b), data: days.map((d) => value(d, b)), backgroundColor: color(i), borderWidth: 0,
          barPercentage: 0.8, categoryPercentage: 0.9,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: lang,
        plugins: {
          legend: { display: false },  // the HTML legend below is readable and translatable
          tooltip: {
            callbacks: {
              title: (items) => formatDate(days[items[0].dataIndex], lang),
              label: (item) => `${item.dataset.label}: ${formatNumber(Number(item.raw), lang)}`,
            },
          },
        },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0, color: "#4b5563" } },
          y: {
            stacked: true, beginAtZero: true, suggestedMax: 1, grid: { color: "#e5e9ef" },
            ticks: { precision: 0, color: "#4b5563", callback: (v) => formatNumber(Number(v), lang) },
          },
        },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
    // `key` holds every input of the drawing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  return (
    <figure className="chart" data-testid="usage-chart">
      <div className="chart-box">
        <canvas ref={canvas} role="img"
          aria-label={t("usage.chartSummary", { metric: metricLabel, total: formatNumber(total, lang), days: days.length })} />
      </div>
      <figcaption className="legend">
        {botIds.length === 0 ? <span>{t("usage.noData")}</span> : botIds.map((id, i) => (
          <span key={id} className="legend-item">
            <span className="swatch" style={{ background: color(i) }} aria-hidden="true" />
            {name(id)}
          </span>
        ))}
      </figcaption>
      {usedDays.length > 0 && (
        <details className="chart-table">
          <summary>{t("usage.asTable")}</summary>
          <div className="table-wrap">
            <table className="table" data-testid="usage-table">
              <caption className="sr-only">{t("usage.chartSummary", { metric: metricLabel, total: formatNumber(total, lang), days: days.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("usage.day")}</th>
                  {botIds.map((b) => <th scope="col" key={b} className="num">{name(b)}</th>)}
                  {botIds.length > 1 && <th scope="col" className="num">{t("usage.total")}</th>}
                </tr>
              </thead>
              <tbody>
                {usedDays.map((d) => (
                  <tr key={d}>
                    <th scope="row">{formatDate(d, lang)}</th>
                    {botIds.map((b) => <td key={b} className="num" data-label={name(b)}>{formatNumber(value(d, b), lang)}</td>)}
                    {botIds.length > 1 && <td className="num" data-label={t("usage.total")}>{formatNumber(dayTotal(d), lang)}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </figure>
  );
}
