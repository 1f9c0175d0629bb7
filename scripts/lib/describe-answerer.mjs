// One line for `make run` saying which answerer the demo bot uses, from the seed's output
// (scripts/seed.mjs: provider, model, effective_answerer, effective_answerer_reason) and the
// provider's base URL from the environment. Never prints a key (nor a password in a URL).
// usage: node scripts/lib/describe-answerer.mjs DEMO.json
import { readFileSync } from "node:fs";

const demo = JSON.parse(readFileSync(process.argv[2], "utf8"));
/** `url` without user:password@ (a base URL may carry credentials). */
const shown = (url) => url.replace(/\/\/[^/@]*@/, "//");
const hint = 'for a real model set OPENAI_API_KEY, OPENAI_BASE_URL or GEMINI_API_KEY; README "Answers from a real model"';

let line;
if (demo.effective_answerer === "extractive" && demo.provider === "extractive") {
  line = `extractive: quotes the knowledge base (${hint})`;
} else if (demo.effective_answerer === "extractive") {
  line = `extractive, not ${demo.provider}: ${demo.effective_answerer_reason ?? "no key"}`;
} else {
  const prefix = demo.effective_answerer === "gemini" ? "GEMINI" : "OPENAI";
  const base = process.env[`${prefix}_BASE_URL`];
  const key = process.env[`${prefix}_API_KEY`] ? "platform key set" : "no key";
  line = `${demo.effective_answerer}, model ${demo.model || "(provider default)"}` +
    (base ? ` at ${shown(base)}` : "") + ` (${key}; falls back to extractive when the model fails)`;
}
console.log(line);
