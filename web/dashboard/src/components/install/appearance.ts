// look: the Install tab's appearance form (AppearanceForm.tsx) as plain data: its state, the
// browser-side checks (the same rules as bot-registry's widget_appearance.cpp, docs/api.md
// "Bots"), and the PATCH body.

import type { WidgetAppearance } from "../../api/types";

export const MAX_TITLE = 60;
export const MAX_QUESTIONS = 4;
export const MAX_QUESTION = 80;
export const DEFAULT_COLOR = "#3b3fd8";

export interface AppearanceState {
  color: string;
  title: string;
  position: "right" | "left";
  questions: string[];
}

/** A problem, as an i18n key ("look.…"); field "question" carries the index. */
export interface AppearanceProblem {
  field: "color" | "title" | "question";
  index?: number;
  key: string;
}

/** Code points, as bot-registry counts them. */
const length = (text: string) => [...text].length;
/** Unicode Cc controls (tab and line breaks included): a title or question is one line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function isHexColor(value: string): boolean {
  return /^#[0-9a-f]{6}$/i.test(value);
}

export function fromWidget(widget: WidgetAppearance | undefined): AppearanceState {
  return {
    color: widget?.color || DEFAULT_COLOR,
    title: widget?.title ?? "",
    position: widget?.position === "left" ? "left" : "right",
    questions: [...(widget?.suggested_questions ?? [])],
  };
}

/** Every problem of `state`, in form order; empty when it may be saved. */
export function problems(state: AppearanceState): AppearanceProblem[] {
  const out: AppearanceProblem[] = [];
  if (!isHexColor(state.color.trim())) out.push({ field: "color", key: "look.colorInvalid" });
  const title = state.title.trim();
  if (length(title) > MAX_TITLE) out.push({ field: "title", key: "look.titleTooLong" });
  else if (CONTROL.test(title)) out.push({ field: "title", key: "look.controlChars" });
  state.questions.forEach((question, index) => {
    const q = question.trim();
    if (q === "") out.push({ field: "question", index, key: "look.questionEmpty" });
    else if (length(q) > MAX_QUESTION) out.push({ field: "question", index, key: "look.questionTooLong" });
    else if (CONTROL.test(q)) out.push({ field: "question", index, key: "look.controlChars" });
  });
  return out;
}

/** The `widget` object of PATCH /bots/{id}. */
export function toWidget(state: AppearanceState): WidgetAppearance {
  return {
    color: state.color.trim().toLowerCase(),
    title: state.title.trim(),
    position: state.position,
    suggested_questions: state.questions.map((q) => q.trim()),
  };
}
