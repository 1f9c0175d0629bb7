// A bot's answer feedback (docs/api.md "Answer feedback"): the replies visitors rated "Helpful"
// or "Not helpful" in the last N days (1..90, default 30), with the visitor's question before
// each reply, the comment, when, and a link to the conversation in the inbox; the counts and
// the share of helpful ratings on top. Filter: Not helpful (default) / Helpful / All.

import { useState } from "react";
import { useTranslation } from "react-i18next";
import { getBot, listBotFeedback } from "../api/endpoints";
import { BotTabs } from "../components/BotTabs";
import { DataTable } from "../components/DataTable";
import { ErrorMessage } from "../components/ErrorMessage";
import { Thumb } from "../components/Thumb";
import { WhenInConversation } from "../components/WhenInConversation";
import { useChannelName } from "../components/inbox/ConversationList";
import { formatNumber } from "../format";
import { useLoad } from "../useLoad";

const DAY_CHOICES = [7, 30, 90] as const;
type Filter = "down" | "up" | "all";

export function FeedbackPage({ botId }: { botId: string }) {
  const { t, i18n } = useTranslation();
  const channelName = useChannelName();
  const lang = i18n.language;
  const [days, setDays] = useState<number>(30);
  const [filter, setFilter] = useState<Filter>("down");
  const bot = useLoad(() => getBot(botId), [botId]);
  const list = useLoad(() => listBotFeedback(botId, days, filter), [botId, days, filter]);
  const data = list.data;
  const total = data ? data.up + data.down : 0;
  const share = data?.helpful_share;

  return (
    <section>
      <BotTabs botId={botId} current="feedback" name={bot.data?.name} />
      <h1>{t("feedback.title")}</h1>
      <p className="muted">{t("feedback.intro")}</p>
      <div className="row feedback-filters">
        <label>
          {t("feedback.show")}
          <select name="rating" value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="feedback-filter">
            <option value="down">{t("feedback.notHelpful")}</option>
            <option value="up">{t("feedback.helpful")}</option>
            <option value="all">{t("feedback.all")}</option>
          </select>
        </label>
        <label>
          {t("feedback.period")}
          <select name="days" value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="feedback-days">
            {DAY_CHOICES.map((d) => <option key={d} value={d}>{t("feedback.lastDays", { n: d })}</option>)}
          </select>
        </label>
      </div>
      <ErrorMessage error={list.error ?? bot.error} />
      {!!list.error && <button className="button" onClick={list.reload}>{t("common.retry")}</button>}
      {data && (
        <p className="feedback-summary" data-testid="feedback-summary">
          <span className="pill ok"><Thumb rating="up" size={14} /> {t("feedback.helpful")}: {formatNumber(data.up, lang)}</span>{" "}
          <span className="pill warn"><Thumb rating="down" size={14} /> {t("feedback.notHelpful")}: {formatNumber(data.down, lang)}</span>{" "}
          <span>{share == null ? t("feedback.noShare")
            : t("feedback.share", { percent: formatNumber(Math.round(share * 100), lang), total: formatNumber(total, lang) })}</span>
        </p>
      )}
      {list.loading && !data && <p className="muted" role="status">{t("common.loading")}</p>}
      {data && data.replies.length === 0 && (
        <div className="card" data-testid="feedback-empty">
          <p>{t(total === 0 ? "feedback.empty" : "feedback.emptyFilter", { days })}</p>
          {total === 0 && <p className="muted">{t("feedback.emptyHint")}</p>}
        </div>
      )}
      {data && data.replies.length > 0 && (
        <DataTable testId="feedback" head={<>
          <th scope="col">{t("feedback.rating")}</th>
          <th scope="col">{t("feedback.question")}</th>
          <th scope="col">{t("feedback.reply")}</th>
          <th scope="col">{t("feedback.comment")}</th>
          <th scope="col">{t("feedback.channel")}</th>
          <th scope="col">{t("feedback.when")}</th>
        </>}>
          {data.replies.map((r) => (
            <tr key={`${r.conversation_id}-${r.seq}`} data-testid="feedback-row" data-rating={r.rating}>
              <td data-label={t("feedback.rating")} className="nowrap">
                <span className={`pill ${r.rating === "up" ? "ok" : "warn"}`}>
                  <Thumb rating={r.rating} size={14} /> {r.rating === "up" ? t("feedback.helpful") : t("feedback.notHelpful")}
                </span>
              </td>
              <td data-label={t("feedback.question")} className="question-text">{r.question || "—"}</td>
              <td data-label={t("feedback.reply")} className="question-text feedback-reply">{r.reply}</td>
              <td data-label={t("feedback.comment")} className="question-text">{r.comment || <span className="muted">—</span>}</td>
              <td data-label={t("feedback.channel")} className="nowrap" data-testid="feedback-channel">{channelName(r.channel ?? "web")}</td>
              <td data-label={t("feedback.when")}>
                <WhenInConversation at={r.rated_at} conversationId={r.conversation_id} label={t("feedback.openConversation")} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
