// answer feedback's style rules (the thumbs and the comment form under a bot answer,
// answer-feedback.ts), one source for both pages that show them: the widget puts them into its
// shadow-root style sheet (widget/styles.ts), and build-static.mjs writes them to dist/feedback.css
// for the chat page (public/index.html links it). They use the page's --brand, --brand-ink, --ink
// and --muted colours.

/** The rules, as CSS text. */
export const feedbackCss = `.feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; margin-top: 4px; }
.feedback > button { width: 30px; height: 30px; display: grid; place-items: center; border: 1px solid transparent; border-radius: 8px;
  background: transparent; color: var(--muted); cursor: pointer; padding: 0; margin: 0; }
.feedback > button:hover { background: rgba(29, 35, 48, .08); color: var(--ink); }
.feedback > button:focus-visible, .fb-comment :focus-visible { outline: 2px solid var(--brand); outline-offset: 1px; }
.feedback > button[aria-pressed="true"] { background: var(--brand); color: var(--brand-ink); }
.feedback[aria-busy="true"] > button { opacity: .6; }
.msg:has(> .feedback .fb-comment) { width: 85%; }
.fb-comment { display: flex; flex-wrap: wrap; gap: 6px; width: 100%; margin: 4px 0 0; }
.fb-comment[hidden] { display: none; }
.fb-comment input { flex: 1 1 100%; min-width: 0; border: 1px solid #b9beca; border-radius: 8px; padding: 6px 8px; font: inherit; font-size: 13px; color: var(--ink); background: #fff; }
.fb-comment button { border: 0; border-radius: 8px; padding: 6px 10px; font: inherit; font-size: 13px; cursor: pointer; }
.fb-send { background: var(--brand); color: var(--brand-ink); font-weight: 600; }
.fb-skip { background: transparent; color: var(--ink); text-decoration: underline; }
.fb-note { margin: 0; font-size: 12px; color: var(--ink); }
.fb-note:empty { display: none; }
`;
