// Turns bench/run_ingest.sh's results.jsonl into the "Chat ingest vs peers" markdown table
// (docs/benchmarks.md): one row per figure, BotFactory beside Socket.IO and the bare relay, with
// the ratio BotFactory ÷ peer beside each peer figure.
//   node bench/ingest_table.mjs RESULTS.jsonl
// Reads the case settings from the environment run_ingest.sh exports.
import { readFileSync } from "node:fs";
import os from "node:os";

const rows = readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const env = process.env;
const RATE_A = Number(env.RATE_A ?? 2000);
const CPU_RATE = Number(env.FANOUT_CPU_RATE ?? 100);
const FANOUT_SOCKETS = Number(env.FANOUT_SOCKETS ?? 1000);
const servers = ["botfactory", "socketio", "relay"];
const names = { botfactory: "BotFactory", socketio: "Socket.IO 4 + redis-adapter", relay: "bare epoll relay" };

const passes = (r) =>
  !!r && !r.failed_run && !r.timed_out && r.joined === r.connections && r.lost === 0 && (r.refused ?? 0) === 0 &&
  r.messages >= 0.99 * r.rate * r.duration_s && r.lat_p99_ms <= 100;
const runs = (s, c) => rows.filter((r) => r.server === s && r.case === c);
const one = (s, c, rate) => runs(s, c).find((r) => rate === undefined || r.step_rate === rate);
const ceilingOf = (s) => rows.find((r) => r.server === s && r.case === "ceiling")?.ceiling;
const ceilingRun = (s) => {
  const c = ceilingOf(s);
  if (!c) return undefined;
  return one(s, "b", c) ?? (c === RATE_A ? one(s, "a") : undefined);
};
const bestFanout = (s) => runs(s, "c").filter(passes).reduce((a, b) => (!a || b.deliveries_per_s > a.deliveries_per_s ? b : a), undefined);

const num = (x, d = 1) => {
  if (x === undefined || x === null || Number.isNaN(x)) return undefined;
  return Number(x);
};
const fmt = (x, d = 1) => {
  if (x === undefined || x === null || Number.isNaN(x)) return "—";
  const v = Number(x);
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US").replace(/,/g, " ") : v.toFixed(d);
};
const ratio = (a, b) => {
  if (a === undefined || b === undefined || !(b > 0) || !(a >= 0)) return "—";
  const x = a / b;
  return `${x >= 100 ? Math.round(x) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
};
// "≥ 10 000" (a ceiling capped by the step list) → 10000
const numeric = (x) => (typeof x === "string" && x.startsWith("≥ ") ? Number(x.slice(2).replace(/ /g, "")) : x);

// figure → per-server value (number or string) and optional target
const figures = [];
const add = (label, get, d, target = "", noRatio = false) => figures.push({ label, get, d, target, noRatio });
const rateOf = (r) => (r && r.publish_s > 0 ? r.published / r.publish_s : undefined);
const storedRate = (r) => (r && r.publish_s > 0 ? r.acked / r.publish_s : undefined);

const A = `a: ${env.CONVERSATIONS ?? 100} conv. × ${env.SOCKETS_PER_CONV ?? 10} sockets × ${env.RATE_PER_CONV ?? 20} msg/s`;
add(`${A}: sent msgs/s`, (s) => rateOf(one(s, "a")), 0);
add(`${A}: acknowledged (stored) msgs/s`, (s) => storedRate(one(s, "a")), 0);
add(`${A}: refused (\`unavailable\`)`, (s) => one(s, "a")?.refused, 0, "", true);
add(`${A}: lost (acknowledged, not delivered)`, (s) => one(s, "a")?.lost, 0, "0", true);
add(`${A}: p50 delivery ms`, (s) => one(s, "a")?.lat_p50_ms, 1);
add(`${A}: p99 delivery ms`, (s) => one(s, "a")?.lat_p99_ms, 1, "≤ 20");
add(`${A}: server CPU ms per stored message`, (s) => one(s, "a")?.server_cpu_ms_per_msg, 3, "≤ 0.2");
add(`${A}: server processes, % of one core`, (s) => one(s, "a")?.server_cpu_pct, 0);
const capped = (s) => rows.find((r) => r.server === s && r.case === "ceiling")?.capped;
add("b: ceiling, msgs/s at p99 ≤ 100 ms (last passing step; ≥: the highest step passed)",
  (s) => (ceilingOf(s) ? (capped(s) ? `≥ ${fmt(ceilingOf(s), 0)}` : ceilingOf(s)) : undefined), 0, "≥ 5 000");
add("b: p99 ms at the ceiling", (s) => ceilingRun(s)?.lat_p99_ms, 1);
add("b: server CPU ms per message at the ceiling", (s) => ceilingRun(s)?.server_cpu_ms_per_msg, 3);
const C = `c: 1 conv. × ${FANOUT_SOCKETS} sockets`;
add(`${C}: tier CPU µs per delivery at ${CPU_RATE} msgs/s`, (s) => one(s, "c", CPU_RATE)?.gw_cpu_us_per_delivery, 2, "≤ 1.2× relay");
add(`${C}: sustained deliveries/s (p99 ≤ 100 ms, no loss)`, (s) => bestFanout(s)?.deliveries_per_s, 0, "≥ 0.9× relay");
add(`${C}: p99 ms at the sustained step`, (s) => bestFanout(s)?.lat_p99_ms, 1);
const D = `d: overload ${env.OVERLOAD_FACTOR ?? 2}× the ceiling`;
const d = one("botfactory", "d");
const rec = one("botfactory", "recovery");
const bfOnly = (get) => (s) => (s === "botfactory" ? get() : undefined);
add(`${D}: offered msgs/s`, bfOnly(() => rateOf(d)), 0, "", true);
add(`${D}: ms to the first \`unavailable\``, bfOnly(() => (d && d.first_unavailable_ms >= 0 ? d.first_unavailable_ms : undefined)), 0, "≤ 1 000", true);
add(`${D}: refused / sent`, bfOnly(() => (d ? `${fmt(d.refused, 0)} / ${fmt(d.published, 0)}` : undefined)), 0, "", true);
add(`${D}: acknowledged msgs/s`, bfOnly(() => storedRate(d)), 0, "", true);
add(`${D}: lost (acknowledged, not delivered)`, bfOnly(() => d?.lost), 0, "0", true);
add(`${D}: p99 ms of what was acknowledged`, bfOnly(() => d?.lat_p99_ms), 1, "", true);
add(`${D}: server memory (Pss, all processes) MB before / peak / after recovery`, bfOnly(() =>
  d ? `${fmt(d.server_rss_before_kb / 1024, 0)} / ${fmt(d.server_rss_peak_kb / 1024, 0)} / ${fmt((rec ?? d).server_rss_after_kb / 1024, 0)}` : undefined), 0, "flat", true);
add(`${D}: gateways' RSS MB before / peak / after recovery`, bfOnly(() =>
  d ? `${fmt(d.rss_idle_kb / 1024, 0)} / ${fmt(d.gw_rss_peak_kb / 1024, 0)} / ${fmt((rec ?? d).rss_after_kb / 1024, 0)}` : undefined), 0, "flat", true);
add(`${D}: recovery 2 s later at ${rec ? rec.step_rate : "half the ceiling"} msgs/s: p99 ms / lost / refused`, bfOnly(() =>
  rec ? `${fmt(rec.lat_p99_ms)} / ${rec.lost} / ${rec.refused} ${passes(rec) ? "✓" : "✗"}` : undefined), 0, "p99 ≤ 100, 0 lost", true);

const out = [];
const cpus = os.cpus();
const measured = rows.filter((r) => r.window_s > 0);
const otherPct = measured.length
  ? (100 * measured.reduce((a, r) => a + r.other_cpu_ms, 0)) / measured.reduce((a, r) => a + r.window_s * 1000 * cpus.length, 0)
  : 0;
out.push(`Machine: ${cpus.length} cores (${cpus[0]?.model ?? "?"}), Linux ${os.release()}, ${new Date().toISOString()}. ` +
  `Servers (fleet + PostgreSQL + Redis, or peer + Redis) pinned to core ${env.SERVER_CORE ?? 0}, load client to core ${env.CLIENT_CORE ?? 1}; ` +
  `niceness ${env.NICE ?? 0}; ${env.DURATION_S ?? "?"} s of sending per step. Other processes used ${otherPct.toFixed(0)}% of the machine during the measured windows ` +
  `(over ~10% means the figures are noisy; ratios are what to read).`);
out.push("");
out.push(`| figure | ${names.botfactory} | ${names.socketio} | BotFactory ÷ Socket.IO | ${names.relay} | BotFactory ÷ relay | target (BotFactory) |`);
out.push("|---|---|---|---|---|---|---|");
for (const f of figures) {
  const v = Object.fromEntries(servers.map((s) => [s, f.get(s)]));
  const cell = (x) => (typeof x === "string" ? x : fmt(x, f.d));
  const r = (peer) => {
    const a = numeric(v.botfactory), b = numeric(v[peer]);
    if (f.noRatio || typeof a === "string" || typeof b === "string") return "—";
    const text = ratio(num(a), num(b));
    // a capped peer ceiling: BotFactory's ratio is at most this; a capped BotFactory one: at least
    if (text !== "—" && typeof v[peer] === "string") return `≤ ${text}`;
    if (text !== "—" && typeof v.botfactory === "string") return `≥ ${text}`;
    return text;
  };
  out.push(`| ${f.label} | ${cell(v.botfactory)} | ${cell(v.socketio)} | ${r("socketio")} | ${cell(v.relay)} | ${r("relay")} | ${f.target} |`);
}
out.push("");
out.push("Steps (✓ = p99 ≤ 100 ms, nothing lost or refused, ≥ 99% of the asked rate went through; a failing step is run once more and the second try counts):");
for (const s of servers) {
  const steps = rows.filter((r) => r.server === s && ["a", "b", "c", "a-first", "b-first", "c-first"].includes(r.case));
  if (!steps.length) continue;
  const text = steps.map((r) => `${r.case.replace("-first", "")}@${r.step_rate}${r.case.endsWith("-first") ? " (first try)" : ""} ` +
    `${passes(r) ? "✓" : "✗"} p99 ${fmt(r.lat_p99_ms)}` +
    (r.refused ? `, refused ${r.refused}` : "") + (r.lost ? `, lost ${r.lost}` : "") + (r.failed ? `, ${r.failed} sockets failed` : "") +
    (r.failed_run ? " (no result)" : ""));
  out.push(`- ${names[s]}: ${text.join("; ")}`);
}
out.push("");
out.push("Ratios are BotFactory ÷ peer: below 1× is better for ms and CPU, above 1× is better for msgs/s. " +
  "Server CPU = utime+stime of every server process and its children from /proc over the window " +
  "(BotFactory: both gateways, channel-connector and the other services, PostgreSQL, Redis; peers: their two processes and Redis). " +
  "Tier CPU (c) = the two gateways / the two Socket.IO processes / the two relay processes only. " +
  "In c BotFactory and the relay get each message as one Redis PUBLISH of the production payload; Socket.IO as message.send on one of the sockets (its adapter's Redis format is its own). " +
  "The peers store nothing: their \"stored\" is \"acknowledged after the Redis PUBLISH\".");
console.log(out.join("\n"));
