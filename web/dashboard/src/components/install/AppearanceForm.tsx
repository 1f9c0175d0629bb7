// look: the Install tab's "Appearance" card: the widget's accent colour (colour picker + hex
// field), header title, side, up to 4 suggested questions (add / remove), a preview redrawn as
// the owner types, and Save (PATCH /bots/{id} with `widget`, replaced as a whole). Checked in
// the browser first (appearance.ts, texts in the UI language); the API's 400 is shown too.

import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { updateBot } from "../../api/endpoints";
import { commitThen } from "../../commit";
import type { Bot } from "../../api/types";
import { ErrorMessage } from "../ErrorMessage";
import { AppearancePreview } from "./AppearancePreview";
import { type AppearanceState, fromWidget, isHexColor, MAX_QUESTION, MAX_QUESTIONS, MAX_TITLE, problems, toWidget } from "./appearance";
import { contrastRatio, inkOn, lightInk } from "./contrast";

export function AppearanceForm({ bot, onSaved }: { bot: Bot; onSaved: (bot: Bot) => void }) {
  const { t } = useTranslation();
  const [state, setState] = useState<AppearanceState>(() => fromWidget(bot.widget));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const change = (next: Partial<AppearanceState>) => {
    setState((s) => ({ ...s, ...next }));
    setSaved(false);
  };
  const found = problems(state);
  const shown = tried ? found : found.filter((p) => p.field === "color" && state.color.trim().length >= 7);
  const problemOf = (field: string, index?: number) => shown.find((p) => p.field === field && p.index === index);
  const message = (key: string, index?: number) =>
    t(key, { n: (index ?? 0) + 1, max: key === "look.titleTooLong" ? MAX_TITLE : MAX_QUESTION });

  const color = state.color.trim();
  const validColor = isHexColor(color);
  const ink = validColor ? inkOn(color) : lightInk;
  const ratio = validColor ? contrastRatio(color, ink).toFixed(1) : "";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    setError(null);
    const first = found[0];
    if (first) {
      const id = first.field === "question" ? `look-question-${first.index}` : `look-${first.field}`;
      document.getElementById(id)?.focus();
      return;
    }
    setBusy(true);
    try {
      const updated = await updateBot(bot.id, { widget: toWidget(state) });
      setState(fromWidget(updated.widget));
      setTried(false);
      setSaved(true);
      onSaved(updated);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const colorProblem = problemOf("color");
  const titleProblem = problemOf("title");
  return (
    <section className="card" aria-labelledby="look-heading" data-testid="look-card">
      <h2 id="look-heading">{t("look.title")}</h2>
      <p className="muted">{t("look.lead")}</p>
      <div className="look-layout">
        <form className="form look-form" onSubmit={submit} noValidate data-testid="look-form">
          <div className="look-color-row">
            <label htmlFor="look-color">{t("look.color")}</label>
            <div className="row">
              <input type="color" className="look-swatch" aria-label={t("look.colorPicker")} data-testid="look-color-picker"
                value={validColor ? color.toLowerCase() : "#3b3fd8"} onChange={(e) => change({ color: e.target.value })} />
              <input id="look-color" name="color" value={state.color} maxLength={7} spellCheck={false} autoComplete="off"
                className="look-hex" data-testid="look-color"
                aria-invalid={colorProblem ? true : undefined}
                aria-describedby={colorProblem ? "look-color-error look-color-hint" : "look-color-hint"}
                onChange={(e) => change({ color: e.target.value })} />
            </div>
            {colorProblem && <small id="look-color-error" className="error-text" role="alert">{message(colorProblem.key)}</small>}
            <small id="look-color-hint" className="hint" data-testid="look-ink">
              {validColor ? t(ink === lightInk ? "look.inkLight" : "look.inkDark", { ratio }) : t("look.colorHint")}
            </small>
          </div>
          <label>
            {t("look.headerTitle")}
            <input id="look-title" name="title" value={state.title} placeholder={bot.name} data-testid="look-title"
              aria-invalid={titleProblem ? true : undefined}
              aria-describedby={titleProblem ? "look-title-error look-title-hint" : "look-title-hint"}
              onChange={(e) => change({ title: e.target.value })} />
            {titleProblem && <small id="look-title-error" className="error-text" role="alert">{message(titleProblem.key)}</small>}
            <small id="look-title-hint" className="hint">{t("look.headerTitleHint", { name: bot.name, max: MAX_TITLE })}</small>
          </label>
          <fieldset>
            <legend>{t("look.position")}</legend>
            <div className="row wrap">
              {(["right", "left"] as const).map((side) => (
                <label key={side} className="check choice">
                  <input type="radio" name="position" value={side} checked={state.position === side}
                    data-testid={`look-position-${side}`} onChange={() => change({ position: side })} />
                  {side === "right" ? t("look.position_right") : t("look.position_left")}
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset data-testid="look-questions">
            <legend>{t("look.questions")}</legend>
            <p className="hint">{t("look.questionsHint", { count: MAX_QUESTIONS, max: MAX_QUESTION })}</p>
            {state.questions.map((question, index) => {
              const problem = problemOf("question", index);
              return (
                <div key={index} className="look-question">
                  <label htmlFor={`look-question-${index}`} className="sr-only">{t("look.question", { n: index + 1 })}</label>
                  <div className="row">
                    <input id={`look-question-${index}`} value={question} data-testid={`look-question-${index}`}
                      placeholder={t("look.questionPlaceholder")}
                      aria-invalid={problem ? true : undefined}
                      aria-describedby={problem ? `look-question-${index}-error` : undefined}
                      onChange={(e) => change({ questions: state.questions.map((q, i) => (i === index ? e.target.value : q)) })} />
                    <button type="button" className="button danger small" data-testid={`look-remove-${index}`}
                      aria-label={t("look.remove", { n: index + 1 })}
                      onClick={() => change({ questions: state.questions.filter((_, i) => i !== index) })}>
                      {t("look.removeShort")}
                    </button>
                  </div>
                  {problem && (
                    <small id={`look-question-${index}-error`} className="error-text" role="alert">{message(problem.key, index)}</small>
                  )}
                </div>
              );
            })}
            {state.questions.length < MAX_QUESTIONS && (
              <button type="button" className="button secondary small look-add" data-testid="look-add-question"
                onClick={() => {
                  const next = state.questions.length;
                  commitThen(() => change({ questions: [...state.questions, ""] }),
                    () => document.getElementById(`look-question-${next}`)?.focus());
                }}>
                {t("look.add")}
              </button>
            )}
          </fieldset>
          <ErrorMessage error={error} context="bot" />
          <div className="row">
            <button className="button" type="submit" disabled={busy} data-testid="look-save">
              {busy ? t("common.working") : t("look.save")}
            </button>
            <span className="ok" role="status" data-testid="look-saved">{saved ? t("look.saved") : ""}</span>
          </div>
        </form>
        <AppearancePreview state={state} botName={bot.name} greeting={bot.greeting} />
      </div>
    </section>
  );
}
