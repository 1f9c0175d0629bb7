// look: a static picture of the chat widget with the appearance being edited (colour, text
// colour by WCAG 2.1 contrast as the widget picks it, title, side, suggested questions), redrawn
// as the owner types. Not interactive: the live widget is the Install tab's preview below.

import { useTranslation } from "react-i18next";
import { accentOnWhite, inkOn, isReadableColor } from "./contrast";
import type { AppearanceState } from "./appearance";
import { DEFAULT_COLOR } from "./appearance";

export function AppearancePreview({ state, botName, greeting }: { state: AppearanceState; botName: string; greeting: string }) {
  const { t } = useTranslation();
  const color = isReadableColor(state.color.trim()) ? state.color.trim().toLowerCase() : DEFAULT_COLOR;
  const ink = inkOn(color);
  const outline = accentOnWhite(color);
  const title = state.title.trim() || botName;
  const questions = state.questions.map((q) => q.trim()).filter(Boolean);
  return (
    <figure className={`look-preview ${state.position}`} data-testid="look-preview">
      <figcaption className="hint">{t("look.previewCaption")}</figcaption>
      <div className="look-stage" aria-hidden="true">
        <div className="look-panel">
          <div className="look-head" style={{ background: color, color: ink }} data-testid="look-preview-head">
            <span className="look-avatar">{botName.slice(0, 1).toUpperCase()}</span>
            <span className="look-title" data-testid="look-preview-title">{title}</span>
          </div>
          <div className="look-log">
            <p className="look-bubble bot">{greeting || t("look.previewGreeting")}</p>
            {questions.length > 0 && (
              <div className="look-chips">
                {questions.map((q, i) => (
                  <span key={i} className="look-chip" style={{ borderColor: outline, color: outline }}>{q}</span>
                ))}
              </div>
            )}
            {questions.length === 0 && (
              <p className="look-bubble visitor" style={{ background: color, color: ink }}>{t("look.previewVisitor")}</p>
            )}
          </div>
        </div>
        <span className="look-launcher" style={{ background: color, color: ink }} data-testid="look-preview-launcher">
          <svg viewBox="0 0 24 24" width="22" height="22" fill="currentColor">
            <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" />
          </svg>
        </span>
      </div>
    </figure>
  );
}
