// Seeds the demo tenant and its demo bot through the public REST API (idempotent).
// usage: node scripts/seed.mjs http://127.0.0.1:8080 deploy/seed/mozilla-faq/docs.en.jsonl OUT.json
import { readFileSync, writeFileSync } from "node:fs";

const [base, docsPath, outPath] = process.argv.slice(2);
const demo = { email: "demo@botfactory.local", username: "demo", password: "demo-password-2026" };
const botName = "Mozilla Help";

async function call(method, path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function must(result, ...ok) {
  if (!ok.includes(result.status)) throw new Error(`HTTP ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

must(await call("POST", "/api/v1/users", demo), 201, 409);
const { access_token: token } = must(await call("POST", "/api/v1/auth/login", { email: demo.email, password: demo.password }), 200);
must(await call("POST", "/api/v1/subscriptions", { plan: "pro" }, token), 200, 201);

const bots = must(await call("GET", "/api/v1/bots", null, token), 200).bots;
let bot = bots.find((b) => b.name === botName);
if (!bot) {
  bot = must(await call("POST", "/api/v1/bots", {
    name: botName,
    language: "en",
    greeting: "Hi! I'm the Mozilla Help bot. Ask me anything about Common Voice or Firefox Relay.",
    instructions: "Answer questions about Mozilla Common Voice and Firefox Relay from the knowledge base only.",
    provider: { provider: "extractive" },
  }, token), 201);
}
const existing = must(await call("GET", `/api/v1/bots/${bot.id}/knowledge`, null, token), 200).documents;
if (existing.length === 0) {
  const lines = readFileSync(docsPath, "utf8").split("\n").filter(Boolean);
  for (const line of lines) {
    const doc = JSON.parse(line);
    must(await call("POST", `/api/v1/bots/${bot.id}/knowledge`, { title: doc.title, format: "text", body: doc.text }, token), 201);
  }
}
const out = { email: demo.email, password: demo.password, bot_id: bot.id, public_id: bot.public_id, bot_name: bot.name };
writeFileSync(outPath, JSON.stringify(out, null, 2));
console.log(JSON.stringify(out));
