// A bot's unanswered questions (docs/api.md "Unanswered questions"): what visitors asked in the
// last 30 days that the knowledge base could not answer, grouped by question. "Add an answer"
// writes a text document to the knowledge base (POST /bots/{id}/knowledge) and then dismisses
// the question; "Dismiss" hides it until a visitor asks it again.

import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { addTextDocument, dismissUnanswered, getBot, listUnanswered } from "../api/endpoints";
import type { UnansweredQuestion } from "../api/types";
import { BotTabs } from "../components/BotTabs";
import { DataTable } from "../components/DataTable";
import { ErrorMessage } from "../components/ErrorMessage";
import { WhenInConversation } from "../components/WhenInConversation";
import { formatNumber } from "../format";
import { useLoad } from "../useLoad";

const DAYS = 30;
/** The knowledge route's longest title (docs/api.md "Knowledge"). */
const MAX_TITLE = 200;

/** The document text of an answer: the question as its first line, so a visitor's wording of
 * it matches, then the answer the bot will quote. */
export function answerDocument(question: string, answer: string): string {
  return `${question.trim()}\n\n${answer.trim()}\n`;
}

export function UnansweredPage({ botId }: { botId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const bot = useLoad(() => getBot(botId), [botId]);
  const list = useLoad(() => listUnanswered(botId, DAYS), [botId]);
  const [answering, setAnswering] = useState<UnansweredQuestion | null>(null);
  const [form, setForm] = useState({ title: "", body: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState("");

  const drop = (key: string) => list.setData((qs) => (qs ?? []).filter((q) => q.key !== key));

  const open = (q: UnansweredQuestion) => {
    setAnswering(q);
    setForm({ title: q.text.trim().slice(0, MAX_TITLE), body: "" });
    setError(null);
    setDone("");
  };

  const dismiss = async (q: UnansweredQuestion) => {
    setBusy(true);
    setError(null);
    setDone("");
    try {
      await dismissUnanswered(botId, q.key);
      drop(q.key);
      if (answering?.key === q.key) setAnswering(null);
      setDone(t("unanswered.dismissed"));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!answering) return;
    setBusy(true);
    setError(null);
    try {
      await addTextDocument(botId, form.title.trim(), "text", answerDocument(answering.text, form.body));
      await dismissUnanswered(botId, answering.key);
      drop(answering.key);
      setAnswering(null);
      setDone(t("unanswered.answerAdded"));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const questions = list.data ?? [];
  return (
    <section>
      <BotTabs botId={botId} current="unanswered" name={bot.data?.name} />
      <h1>{t("unanswered.title")}</h1>
      <p className="muted">{t("unanswered.intro", { days: DAYS })}</p>
      <ErrorMessage error={list.error ?? bot.error} />
      {!!list.error && <button className="button" onClick={list.reload}>{t("common.retry")}</button>}
      {done && <p className="ok" role="status" data-testid="unanswered-done">{done}</p>}
      {answering && (
        <form className="card form" onSubmit={submit} data-testid="answer-form">
          <h2>{t("unanswered.answerTitle")}</h2>
          <p className="muted answer-question">{answering.text}</p>
          <label>
            {t("knowledge.docTitle")}
            <input required maxLength={MAX_TITLE} value={form.title} name="title"
              onChange={(e) => setForm({ ...form, title: e.target.value })} />
          </label>
          <label>
            {t("unanswered.answer")}
            <textarea required rows={5} value={form.body} name="body"
              onChange={(e) => setForm({ ...form, body: e.target.value })} />
          </label>
          <p className="muted">{t("unanswered.answerHint")}</p>
          <ErrorMessage error={error} context="knowledge" />
          <div className="row">
            <button className="button" type="submit" disabled={busy}>
              {busy ? t("common.working") : t("unanswered.saveAnswer")}
            </button>
            <button className="button secondary" type="button" disabled={busy} onClick={() => setAnswering(null)}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      )}
      {!answering && <ErrorMessage error={error} />}
      {list.loading && !list.data && <p className="muted" role="status">{t("common.loading")}</p>}
      {list.data && questions.length === 0 && (
        <p className="muted" data-testid="unanswered-empty">{t("unanswered.empty", { days: DAYS })}</p>
      )}
      {questions.length > 0 && (
        <DataTable testId="unanswered" head={<>
          <th scope="col">{t("unanswered.question")}</th>
          <th scope="col" className="num">{t("unanswered.count")}</th>
          <th scope="col">{t("unanswered.lastAsked")}</th>
          <th scope="col"><span className="sr-only">{t("common.actions")}</span></th>
        </>}>
          {questions.map((q) => (
            <tr key={q.key} data-testid="unanswered-row">
              <td data-label={t("unanswered.question")} className="question-text">{q.text}</td>
              <td data-label={t("unanswered.count")} className="num">{formatNumber(q.count, lang)}</td>
              <td data-label={t("unanswered.lastAsked")}>
                <WhenInConversation at={q.last_asked_at} conversationId={q.last_conversation_id} label={t("unanswered.openConversation")} />
              </td>
              <td>
                <div className="row">
                  <button type="button" className="button small" disabled={busy} onClick={() => open(q)}>
                    {t("unanswered.addAnswer")}
                  </button>
                  <button type="button" className="button secondary small" disabled={busy}
                    onClick={() => { void dismiss(q); }}>
                    {t("unanswered.dismiss")}
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
