// Copies the static files of public/ next to the compiled TypeScript in dist/.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
mkdirSync("dist", { recursive: true });
cpSync("public", "dist", { recursive: true });
// answer feedback's rules, one source with the widget (src/answer-feedback-css.ts, compiled by tsc
// before this script runs).
const { feedbackCss } = await import("./dist/assets/answer-feedback-css.js");
writeFileSync("dist/feedback.css", feedbackCss);
