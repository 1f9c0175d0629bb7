// Seeds the demo tenant and its demo bot through the public REST API (idempotent: a document
// whose title the bot already has is not added again, so an older demo bot gains new files).
// usage: node scripts/seed.mjs http://127.0.0.1:8080 OUT.json DOCS.jsonl [DOCS.jsonl ...]
//   e.g. deploy/seed/mozilla-faq/docs.{en,ru,uz}.jsonl: the FAQ in English, Russian and Uzbek
//   (one bot; the extractive answerer replies in the visitor's language when it has an entry).
// On every run the demo bot's answerer follows the environment (demoProvider below): a model
// provider when the platform has a key (or a self-hosted endpoint) for it, else `extractive`.
// Prints {email, password, bot_id, public_id, bot_name, provider, model, effective_answerer,
// effective_answerer_reason, telegram ("@bot_username (polling)" or "")} as JSON; never a key.
import { readFileSync, writeFileSync } from "node:fs";
import { ensureTenantBot, must, restClient } from "./lib/rest-client.mjs";

const [base, outPath, ...docsPaths] = process.argv.slice(2);
if (!base || !outPath || docsPaths.length === 0) {
  console.error("usage: node scripts/seed.mjs BASE_URL OUT.json DOCS.jsonl [DOCS.jsonl ...]");
  process.exit(2);
}
/**
 * The demo bot's answerer from the environment: DEMO_PROVIDER (`openai`, `gemini`, `extractive`)
 * when set; else `openai` when OPENAI_API_KEY or OPENAI_BASE_URL is set (a local
 * OpenAI-compatible server may need no key), else `gemini` when GEMINI_API_KEY or
 * GEMINI_BASE_URL is; else `extractive`. The model is OPENAI_MODEL / GEMINI_MODEL ("" = the
 * provider's default), as ai-proxy's default for the provider.
 */
function demoProvider(env) {
  const set = (name) => Boolean(env[name] && env[name].trim());
  let provider = (env.DEMO_PROVIDER ?? "").trim();
  if (provider && !["openai", "gemini", "extractive"].includes(provider)) {
    throw new Error(`DEMO_PROVIDER must be openai, gemini or extractive, not "${provider}"`);
  }
  if (!provider) {
    if (set("OPENAI_API_KEY") || set("OPENAI_BASE_URL")) provider = "openai";
    else if (set("GEMINI_API_KEY") || set("GEMINI_BASE_URL")) provider = "gemini";
    else provider = "extractive";
  }
  if (provider === "extractive") return { provider };
  const model = (provider === "openai" ? env.OPENAI_MODEL : env.GEMINI_MODEL) ?? "";
  return { provider, model: model.trim() };
}

const demo = { email: "demo@botfactory.local", username: "demo", password: "demo-password-2026" };
const botName = "Mozilla Help";

const api = restClient(base, 30000);
const { token, bot } = await ensureTenantBot(api, demo, "pro", {
  name: botName,
  language: "en",
  greeting: "Hi! I'm the Mozilla Help bot. Ask me anything about Common Voice or Firefox Relay.",
  instructions: "Answer questions about Mozilla Common Voice and Firefox Relay from the knowledge base only.",
  provider: { provider: "extractive" },
});
// The answerer follows the environment on every start (a key added or removed since last time).
const provider = demoProvider(process.env);
const updated = must(await api.call("PATCH", `/api/v1/bots/${bot.id}`, { provider }, token), 200);
// look: three suggested questions from the FAQ under the greeting (docs/widget.md "Appearance"),
// unless the widget's appearance was changed since (an owner's choice stays; all defaults = never set).
const demoQuestions = ["What is Common Voice?", "What is a Relay email mask?", "How can I get the Common Voice data?"];
const widget = updated.widget;
if (widget && widget.suggested_questions.length === 0 && widget.title === "" && widget.position === "right" &&
    widget.color === "#3b3fd8") {
  must(await api.call("PATCH", `/api/v1/bots/${bot.id}`, { widget: { suggested_questions: demoQuestions } }, token), 200);
}
// canned: two saved replies for the inbox (docs/api.md "Canned responses"), only while the tenant
// has none, so an owner's own list is never touched.
const saved = must(await api.call("GET", "/api/v1/canned-responses", null, token), 200);
if (saved.total === 0) {
  const demoReplies = [
    { short_code: "hello", content: "Hi {{visitor.name}}, I'm a person from the team. How can I help?" },
    { short_code: "thanks", content: "Thank you for writing to {{bot.name}}, {{visitor.name}}. Is there anything else I can do?" },
  ];
  for (const reply of demoReplies) must(await api.call("POST", "/api/v1/canned-responses", reply, token), 201);
}
const existing = must(await api.call("GET", `/api/v1/bots/${bot.id}/knowledge`, null, token), 200).documents;
const titles = new Set(existing.map((d) => d.title));
for (const docsPath of docsPaths) {
  const lines = readFileSync(docsPath, "utf8").split("\n").filter(Boolean);
  for (const line of lines) {
    const doc = JSON.parse(line);
    if (titles.has(doc.title)) continue;
    must(await api.call("POST", `/api/v1/bots/${bot.id}/knowledge`, { title: doc.title, format: "text", body: doc.text }, token), 201);
    titles.add(doc.title);
  }
}
// TELEGRAM_BOT_TOKEN (from @BotFather) in the environment: the demo bot answers on Telegram too
// (long polling, so it works from a laptop; docs/channels.md). Connected unless a channel with
// this token's last four characters is there already (another token: connected beside it). A
// failure is reported, never fatal.
const telegramToken = process.env.TELEGRAM_BOT_TOKEN?.trim();
let telegram = "";
if (telegramToken) {
  const path = `/api/v1/bots/${bot.id}/channels`;
  const listed = await api.call("GET", path, null, token);
  const channels = listed.status === 200 ? listed.body.channels.filter((c) => c.type === "telegram") : [];
  let current = channels.find((c) => c.credentials_hint === "…" + telegramToken.slice(-4));
  for (const other of channels.filter((c) => c !== current)) {
    console.error(`seed: Telegram bot ${other.display_name} stays connected too (DELETE ${path}/${other.id} disconnects it)`);
  }
  if (!current) {
    const made = await api.call("POST", path, { type: "telegram", token: telegramToken, mode: "polling" }, token);
    if (made.status === 201) {
      current = made.body;
      console.error(`seed: Telegram bot ${made.body.display_name} connected (polling)`);
    } else {
      console.error(`seed: Telegram not connected: ${made.status} ${JSON.stringify(made.body?.error ?? made.body)}`);
    }
  }
  if (current) telegram = `${current.display_name} (${current.mode})`;
}
const out = {
  email: demo.email, password: demo.password, bot_id: bot.id, public_id: bot.public_id, bot_name: bot.name,
  provider: updated.provider?.provider ?? "extractive", model: updated.provider?.model ?? "",
  effective_answerer: updated.effective_answerer ?? updated.provider?.provider ?? "extractive",
  effective_answerer_reason: updated.effective_answerer_reason ?? null,
  telegram,
};
writeFileSync(outPath, JSON.stringify(out, null, 2));
console.log(JSON.stringify(out));
