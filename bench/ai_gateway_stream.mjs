// What the whole pipeline adds to a streamed model reply (docs/benchmarks.md "ai-proxy streaming
// overhead", gateway part): the fleet (tests/e2e/harness.mjs: every service real, PostgreSQL and
// Redis from scripts/servers.sh), a bot answering with `openai` against the fake model of
// bench_ai_proxy_stream --serve-fake, one visitor on the WebSocket asking --replies questions
// one after another. Per reply: `message.delta` frames, the time from the fake's last event to
// the visitor's last delta and to the bot's `message.new` (both processes read CLOCK_MONOTONIC:
// steady_clock there, process.hrtime here), and the CPU each service spent (/proc/<pid>/stat).
// The bot uses `openai` both ways ai-proxy may take its key: OPENAI_API_KEY / OPENAI_BASE_URL in
// every service's environment, and a tenant key with the fake's base URL (PUT /provider-keys).
// Run by bench/run_ai_proxy.sh (GATEWAY=1); needs BOTFACTORY_TEST_PG_BASE,
// BOTFACTORY_TEST_REDIS_HOST/PORT and BOTFACTORY_BUILD_DIR as scripts/test.sh exports them.
// Prints a markdown table; `RESULT {...}` on stderr.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { ChatClient, http, startFleet } from "../tests/e2e/harness.mjs";

const { values: opt } = parseArgs({
  options: {
    replies: { type: "string", default: "30" },
    tokens: { type: "string", default: "200" },
    "pace-ms": { type: "string", default: "0" },
  },
});
const replies = Number(opt.replies);
const tokens = Number(opt.tokens);
const paceMs = Number(opt["pace-ms"]);
const key = "sk-bench-0123456789abcdef"; // bench_ai_proxy_stream's kKey
const model = "bench-model";
const buildDir = process.env.BOTFACTORY_BUILD_DIR;

const nowNs = () => process.hrtime.bigint();
const ms = (ns) => Number(ns) / 1e6;
const pct = (values, q) => {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(q * (v.length - 1))];
};

/** utime + stime of `pid` in ms (/proc/<pid>/stat fields 14, 15; 100 ticks per second). */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function startFake() {
  const fake = spawn(path.join(buildDir, "bench/bench_ai_proxy_stream"),
    ["--serve-fake", "--tokens", String(tokens), "--pace-ms", String(paceMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const ends = [];
  const url = new Promise((resolve, reject) => {
    fake.once("error", reject);
    fake.once("exit", (code) => reject(new Error(`fake model exited (${code})`)));
    readline.createInterface({ input: fake.stdout }).on("line", (line) => {
      if (line.startsWith("URL ")) resolve(line.slice(4));
      if (line.startsWith("END ")) ends.push(BigInt(line.slice(4)));
    });
  });
  return { fake, ends, url };
}

async function until(check, what, limitMs = 30000) {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

let cleanup = () => {};
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {  // e.g. run_ai_proxy.sh's timeout: stop the fleet and the fake first
    cleanup();
    process.exit(1);
  });
}

async function main() {
  const { fake, ends, url } = startFake();
  cleanup = () => fake.kill();
  const baseUrl = await url;
  Object.assign(process.env, {
    OPENAI_API_KEY: key, OPENAI_BASE_URL: baseUrl, OPENAI_MODEL: model,
    VISITOR_MESSAGES_PER_MIN: "0", BOT_REPLIES_PER_MIN: "0", RATE_LIMIT_SESSIONS_PER_MIN: "0",
    RATE_LIMIT_AUTH_PER_MIN: "0", WS_RATE_PER_SEC: "1000", WS_RATE_BURST: "1000",
  });
  const fleet = await startFleet();
  let stopped = false;
  cleanup = () => {
    if (stopped) return;
    stopped = true;
    fleet.stop();
    fake.kill();
  };
  let visitor;
  try {
    const [A] = fleet.gateways;
    const user = { email: "bench@stream.example", username: "bench_stream", password: "correct horse 42" };
    const created = await http(A, "POST", "/api/v1/users", { body: user });
    if (created.status !== 201) throw new Error("register: " + JSON.stringify(created.body));
    const login = await http(A, "POST", "/api/v1/auth/login", { body: { email: user.email, password: user.password } });
    const token = login.body.access_token;
    const plan = await http(A, "POST", "/api/v1/subscriptions", { token, body: { plan: "pro" } });
    if (![200, 201].includes(plan.status)) throw new Error("plan: " + JSON.stringify(plan.body));
    const keyPut = await http(A, "PUT", "/api/v1/provider-keys/openai", { token, body: { key, base_url: baseUrl } });
    if (keyPut.status !== 200) throw new Error("provider key: " + JSON.stringify(keyPut.body));
    const bot = await http(A, "POST", "/api/v1/bots", {
      token, body: { name: "Stream bench", language: "en", greeting: "", provider: { provider: "openai", model } },
    });
    if (bot.status !== 201) throw new Error("bot: " + JSON.stringify(bot.body));
    const doc = await http(A, "POST", `/api/v1/bots/${bot.body.id}/knowledge`, {
      token, body: { title: "Will Firefox Relay forward emails with attachments?", format: "text",
                     body: "We now support attachment forwarding. However, there is a 10 MB limit for email " +
                           "forwarding using Relay. Any emails larger than 10 MB will not be forwarded." },
    });
    if (![200, 201, 202].includes(doc.status)) throw new Error("knowledge: " + JSON.stringify(doc.body));
    const session = await http(A, "POST", `/api/v1/widget/${bot.body.public_id}/sessions`, { body: {} });
    if (session.status !== 201 && session.status !== 200) throw new Error("session: " + JSON.stringify(session.body));
    const conversation = session.body.conversation_id;

    visitor = new ChatClient(A, session.body.token);
    await visitor.opened;
    const arrivals = []; // [ns, frame], every frame in order
    visitor.ws.on("message", (data) => arrivals.push([nowNs(), JSON.parse(data.toString())]));
    visitor.send({ type: "conversation.join", conversation_id: conversation, since_seq: 0 });
    await visitor.waitFor((f) => f.type === "conversation.joined", 10000, "joined");

    const pidOf = (name) => Number(readFileSync(path.join(fleet.dir, "fleet.pids"), "utf8")
      .split("\n").find((l) => l.endsWith(" " + name)).split(" ")[0]);
    const services = ["gateway-1", "channel-connector", "ai-proxy", "bot-registry", "subscription"];
    const pids = Object.fromEntries(services.map((s) => {
      try { return [s, pidOf(s)]; } catch { return [s, 0]; }
    }));

    const warmup = 3;
    const rows = [];
    let cpuBefore = null;
    for (let i = 0; i < warmup + replies; i++) {
      if (i === warmup) cpuBefore = Object.fromEntries(services.map((s) => [s, pids[s] ? cpuMs(pids[s]) : 0]));
      const endsBefore = ends.length;
      const from = arrivals.length;
      const start = nowNs();
      const clientId = `q-${i}`;
      visitor.send({ type: "message.send", conversation_id: conversation, client_id: clientId,
                     text: "Will Firefox Relay forward emails with attachments?" });
      const ack = await visitor.waitFor((f) => f.type === "message.ack" && f.client_id === clientId, 20000, "ack");
      await until(() => arrivals.slice(from).some(([, f]) => f.type === "message.new" && f.seq > ack.seq &&
        f.message.sender.kind === "bot"), `bot reply ${i}`);
      await until(() => ends.length > endsBefore, `the fake's end of stream ${i}`);
      const mine = arrivals.slice(from);
      const final = mine.find(([, f]) => f.type === "message.new" && f.seq > ack.seq && f.message.sender.kind === "bot");
      const deltas = mine.filter(([, f]) => f.type === "message.delta" && f.reply_to_seq === ack.seq);
      const text = deltas.map(([, f]) => f.delta).join("");
      if (final[1].message.text !== text || !text.endsWith("[1].")) {
        throw new Error(`reply ${i}: deltas (${text.length} chars) differ from the final message ` +
                        `(${final[1].message.text.length}): is the bot answering with openai?`);
      }
      const end = ends[endsBefore];
      if (i >= warmup) {
        rows.push({ frames: deltas.length, total: ms(final[0] - start), toNew: ms(final[0] - end),
                    toLastDelta: ms(deltas.at(-1)[0] - end) });
      }
    }
    const cpu = Object.fromEntries(services.map((s) => [s, pids[s] ? (cpuMs(pids[s]) - cpuBefore[s]) / replies : 0]));
    const col = (k) => rows.map((r) => r[k]);
    const f = (x) => x.toFixed(2);
    console.log(`### Through the gateway: ${replies} replies of ${tokens} tokens, ${paceMs} ms between tokens, one visitor on the WebSocket\n`);
    console.log("| replies | message.delta frames per reply (p50, max) | model's last event → last delta p50 / p99 ms | " +
                "→ bot `message.new` p50 / p99 ms | question → `message.new` p50 / p99 ms | CPU ms per reply: gateway | " +
                "channel-connector | ai-proxy | bot-registry | subscription |");
    console.log("|---|---|---|---|---|---|---|---|---|---|");
    console.log(`| ${rows.length} | ${pct(col("frames"), 0.5)}, ${Math.max(...col("frames"))} | ` +
                `${f(pct(col("toLastDelta"), 0.5))} / ${f(pct(col("toLastDelta"), 0.99))} | ` +
                `${f(pct(col("toNew"), 0.5))} / ${f(pct(col("toNew"), 0.99))} | ` +
                `${f(pct(col("total"), 0.5))} / ${f(pct(col("total"), 0.99))} | ` +
                services.map((s) => f(cpu[s])).join(" | ") + " |\n");
    console.log("CPU from /proc/<pid>/stat in 10 ms ticks, summed over the replies (fair only for ≥ 20 replies).\n");
    console.error("RESULT " + JSON.stringify({
      phase: "gateway", replies: rows.length, tokens, pace_ms: paceMs,
      frames_p50: pct(col("frames"), 0.5), last_event_to_new_p50_ms: pct(col("toNew"), 0.5),
      last_event_to_new_p99_ms: pct(col("toNew"), 0.99), last_event_to_last_delta_p50_ms: pct(col("toLastDelta"), 0.5),
      total_p50_ms: pct(col("total"), 0.5), cpu_ms_per_reply: cpu,
    }));
  } finally {
    visitor?.close();
    cleanup();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error("ai_gateway_stream: " + (e.stack ?? e));
  process.exit(1);
});
