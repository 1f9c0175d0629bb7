// The rooms case's members (docs/benchmarks.md "Rooms fan-out"): creates the benchmark tenant and
// bot through the public REST API (idempotent, as bench/sessions.mjs), ROOMS new public rooms
// (owned by the bench user) and MEMBERS widget visitors per room (one widget session each) that
// join their room (POST /api/v1/rooms/{id}/join with the visitor token). Writes one
// "VISITOR_TOKEN ROOM_ID" line per member, a room's members on consecutive lines, for
// bench_ws_load --rooms. Requests run CONCURRENCY (16) at a time; the caller bounds the time.
// usage: node bench/room_members.mjs http://127.0.0.1:8080 ROOMS MEMBERS OUT_FILE
import { writeFileSync } from "node:fs";
import { ensureTenantBot, must, restClient } from "../scripts/lib/rest-client.mjs";

const [base, roomsText, membersText, outPath] = process.argv.slice(2);
const rooms = Number.parseInt(roomsText ?? "", 10);
const members = Number.parseInt(membersText ?? "", 10);
if (!base || !outPath || !(rooms >= 1) || !(members >= 1)) {
  console.error("usage: node bench/room_members.mjs BASE_URL ROOMS MEMBERS OUT_FILE");
  process.exit(2);
}
const concurrency = Number.parseInt(process.env.CONCURRENCY ?? "16", 10);
const user = { email: "bench@botfactory.local", username: "bench", password: "bench-password-2026" };

const api = restClient(base, 30000);
const started = Date.now();
const { token, bot } = await ensureTenantBot(api, user, "pro", {
  name: "Bench Bot",
  language: "en",
  greeting: "Hi! I am the benchmark bot.",
  instructions: "Benchmark only.",
  provider: { provider: "extractive" },
});

/** Runs `work(i)` for i in [0, n), `concurrency` at a time; resolves to the results in order. */
async function pool(n, work) {
  const out = new Array(n);
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      out[i] = await work(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

const tag = Date.now().toString(36);
const roomIds = await pool(rooms, async (r) =>
  must(await api.call("POST", "/api/v1/rooms",
    { name: `Bench room ${tag}-${r}`, topic: "bench/run_fanout.sh rooms case", visibility: "public" }, token), 201).id);
const lines = await pool(rooms * members, async (i) => {
  const roomId = roomIds[Math.floor(i / members)];
  const session = must(await api.call("POST", `/api/v1/widget/${bot.public_id}/sessions`, { name: `Member ${i}` }), 201);
  must(await api.call("POST", `/api/v1/rooms/${roomId}/join`, {}, session.token), 200);
  return `${session.token} ${roomId}`;
});
writeFileSync(outPath, lines.join("\n") + "\n");
console.error(`room_members: ${rooms} room(s) x ${members} visitor member(s) -> ${outPath} ` +
  `in ${((Date.now() - started) / 1000).toFixed(1)} s`);
