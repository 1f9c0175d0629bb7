// Splits a system-wide `perf record -a` profile by process group (docs/benchmarks.md, "Chat
// ingest"): reads `perf script -F pid` lines on stdin and a `ps -eo pid=,args=` snapshot taken
// during the recording, and prints a markdown table of each group's share of the samples and its
// CPU ms per stored message.
// usage: perf script -i DATA -F pid | node bench/perf_split.mjs PS_FILE FREQ_HZ MESSAGES \
//          gateway=PID channel-connector=PID PostgreSQL=POSTMASTER_PID Redis=PID
// PS_FILE: `ps -eo pid=,ppid=,args=`.
import { readFileSync } from "node:fs";

const [psFile, freqText, messagesText, ...roots] = process.argv.slice(2);
const freq = Number(freqText);
const messages = Number(messagesText);
if (!psFile || !(freq > 0) || !(messages > 0) || roots.length === 0) {
  console.error("usage: perf script -F pid | node bench/perf_split.mjs PS_FILE FREQ_HZ MESSAGES GROUP=PID...");
  process.exit(2);
}
// GROUP=PID: that process and its children (PostgreSQL backends are the postmaster's children).
const rootGroup = new Map(roots.map((r) => r.split("=")).map(([g, pid]) => [pid, g]));
const groups = [...new Set(rootGroup.values()), "load client (bench_ws_load)"];
const OTHER = "other (builds and tests of other sessions)";
const groupOf = new Map();
for (const line of readFileSync(psFile, "utf8").split("\n")) {
  const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
  if (!m) continue;
  const [, pid, ppid, args] = m;
  groupOf.set(pid, rootGroup.get(pid) ?? rootGroup.get(ppid) ??
    (/bench_ws_load/.test(args) ? "load client (bench_ws_load)" : OTHER));
}
const counts = new Map();
let total = 0;
let idle = 0;
for (const line of readFileSync(0, "utf8").split("\n")) {
  const pid = line.trim();
  if (!pid) continue;
  if (pid === "0") { ++idle; continue; }
  const g = groupOf.get(pid) ?? OTHER;
  counts.set(g, (counts.get(g) ?? 0) + 1);
  ++total;
}
const order = [...groups, OTHER];
const fleet = [...new Set(rootGroup.values())];
const fleetSamples = fleet.reduce((a, g) => a + (counts.get(g) ?? 0), 0);
console.log(`| process | % of busy samples | % of the server's (${fleet.join(" + ")}) | CPU ms per stored message |`);
console.log("|---|---|---|---|");
for (const g of order) {
  const n = counts.get(g) ?? 0;
  if (n === 0) continue;
  const inFleet = fleet.includes(g);
  console.log(`| ${g} | ${((100 * n) / total).toFixed(1)} | ${inFleet ? ((100 * n) / fleetSamples).toFixed(1) : ""} | ` +
    `${inFleet ? ((1000 * n) / freq / messages).toFixed(3) : ""} |`);
}
console.log(`| **server total** | ${((100 * fleetSamples) / total).toFixed(1)} | 100 | **${((1000 * fleetSamples) / freq / messages).toFixed(3)}** |`);
console.log(`\n${total} busy samples, ${idle} idle, at ${freq} Hz; ${messages} messages stored in the window.`);
