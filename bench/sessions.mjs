// Creates the benchmark tenant and bot through the public REST API (idempotent), then COUNT widget
// sessions (one conversation each), and writes "TOKEN CONVERSATION_ID" lines for bench_ws_load.
// usage: node bench/sessions.mjs http://127.0.0.1:8080 COUNT OUT_FILE
// TAKEOVER=1: the bench user takes every conversation over (POST /conversations/{id}/takeover),
// so visitor messages get no bot reply (the ingest benchmark stores only what it sends).
import { writeFileSync } from "node:fs";
import { ensureTenantBot, must, restClient } from "../scripts/lib/rest-client.mjs";

const [base, countText, outPath] = process.argv.slice(2);
const count = Number.parseInt(countText ?? "1", 10);
if (!base || !outPath || !(count >= 1)) {
  console.error("usage: node bench/sessions.mjs BASE_URL COUNT OUT_FILE");
  process.exit(2);
}
const user = { email: "bench@botfactory.local", username: "bench", password: "bench-password-2026" };
const botName = "Bench Bot";

const api = restClient(base);
const { token, bot } = await ensureTenantBot(api, user, "pro", {
  name: botName,
  language: "en",
  greeting: "Hi! I am the benchmark bot.",
  instructions: "Benchmark only.",
  provider: { provider: "extractive" },
});
const lines = [];
for (let i = 0; i < count; i++) {
  const session = must(await api.call("POST", `/api/v1/widget/${bot.public_id}/sessions`, { name: `Bench ${i}` }), 201);
  if (process.env.TAKEOVER === "1") {
    must(await api.call("POST", `/api/v1/conversations/${session.conversation_id}/takeover`, {}, token), 200);
  }
  lines.push(`${session.token} ${session.conversation_id}`);
}
writeFileSync(outPath, lines.join("\n") + "\n");
console.error(`sessions: ${count} conversation(s) of bot ${bot.public_id} -> ${outPath}`);
