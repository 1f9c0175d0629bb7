// Creates the channel benchmark's tenant (business plan) and extractive bot through the public
// REST API, uploads the knowledge base DOCS.jsonl ({"title","text"} lines, e.g.
// ../shared/data/mozilla-faq/docs.jsonl) when the bot has no documents yet, and connects the
// Telegram bot TOKEN (of bench_channels' fake Bot API) in webhook mode.
// usage: node bench/channel_setup.mjs BASE_URL DOCS.jsonl TOKEN
import { readFileSync } from "node:fs";
import { ensureTenantBot, must, restClient } from "../scripts/lib/rest-client.mjs";

const [base, docsPath, telegramToken] = process.argv.slice(2);
if (!base || !docsPath || !telegramToken) {
  console.error("usage: node bench/channel_setup.mjs BASE_URL DOCS.jsonl TOKEN");
  process.exit(2);
}
const user = { email: "chbench@botfactory.local", username: "chbench", password: "chbench-password-2026" };
const api = restClient(base, 30000);
const { token, bot } = await ensureTenantBot(api, user, "business", {
  name: "Channel Bench",
  language: "en",
  greeting: "Hi!",
  instructions: "Answer from the knowledge base only.",
  provider: { provider: "extractive" },
});
const existing = must(await api.call("GET", `/api/v1/bots/${bot.id}/knowledge`, null, token), 200).documents;
if (existing.length === 0) {
  const docs = readFileSync(docsPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  for (const doc of docs)
    must(await api.call("POST", `/api/v1/bots/${bot.id}/knowledge`, { title: doc.title, format: "text", body: doc.text }, token), 201);
  console.error(`channel_setup: ${docs.length} document(s) uploaded`);
}
const made = must(await api.call("POST", `/api/v1/bots/${bot.id}/channels`,
  { type: "telegram", token: telegramToken, mode: "webhook" }, token), 201);
console.error(`channel_setup: channel ${made.id} (${made.display_name}) -> ${made.webhook_url}`);
