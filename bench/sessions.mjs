// Creates the benchmark tenant and bot through the public REST API (idempotent), then COUNT widget
// sessions (one conversation each), and writes "TOKEN CONVERSATION_ID" lines for bench_ws_load.
// usage: node bench/sessions.mjs http://127.0.0.1:8080 COUNT OUT_FILE
import { writeFileSync } from "node:fs";

const [base, countText, outPath] = process.argv.slice(2);
const count = Number.parseInt(countText ?? "1", 10);
if (!base || !outPath || !(count >= 1)) {
  console.error("usage: node bench/sessions.mjs BASE_URL COUNT OUT_FILE");
  process.exit(2);
}
const user = { email: "bench@botfactory.local", username: "bench", password: "bench-password-2026" };
const botName = "Bench Bot";

async function call(method, path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(base + path, {
    method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(10000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function must(result, ...ok) {
  if (!ok.includes(result.status)) throw new Error(`HTTP ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

must(await call("POST", "/api/v1/users", user), 201, 409);
const { access_token: token } = must(await call("POST", "/api/v1/auth/login", { email: user.email, password: user.password }), 200);
must(await call("POST", "/api/v1/subscriptions", { plan: "pro" }, token), 200, 201, 409);
const bots = must(await call("GET", "/api/v1/bots", null, token), 200).bots;
let bot = bots.find((b) => b.name === botName);
if (!bot) {
  bot = must(await call("POST", "/api/v1/bots", {
    name: botName,
    language: "en",
    greeting: "Hi! I am the benchmark bot.",
    instructions: "Benchmark only.",
    provider: { provider: "extractive" },
  }, token), 201);
}
const lines = [];
for (let i = 0; i < count; i++) {
  const session = must(await call("POST", `/api/v1/widget/${bot.public_id}/sessions`, { name: `Bench ${i}` }), 201);
  lines.push(`${session.token} ${session.conversation_id}`);
}
writeFileSync(outPath, lines.join("\n") + "\n");
console.error(`sessions: ${count} conversation(s) of bot ${bot.public_id} -> ${outPath}`);
