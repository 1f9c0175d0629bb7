// DESIGN target "zero messages lost when a gateway replica is killed or Redis restarts (clients
// resume by seq)", end to end: every service real, a private Redis this test kills and restarts,
// an operator posting on replica A while the visitor watches on replica B.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ChatClient, freeRange, http, startFleet } from "./harness.mjs";

let fleet;
let A;
let B;
let redisPort;
let redisDir;
const state = {};

function startRedis() {
  execFileSync("redis-server", [
    "--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--daemonize", "yes", "--pidfile", path.join(redisDir, "redis.pid"),
    "--logfile", path.join(redisDir, "redis.log"), "--dir", redisDir,
  ]);
  for (let i = 0; i < 100; i++) {
    if (spawnSync("redis-cli", ["-p", String(redisPort), "ping"], { encoding: "utf8" }).stdout.trim() === "PONG") return;
    execFileSync("sleep", ["0.05"]);
  }
  throw new Error("Redis did not start");
}

function killRedis() {
  const pid = Number(readFileSync(path.join(redisDir, "redis.pid"), "utf8"));
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    execFileSync("sleep", ["0.05"]);
  }
}

/** The pid of service `name` from fleet.sh's DIR/fleet.pids (updated when it restarts). */
function pidOf(name) {
  const line = readFileSync(path.join(fleet.dir, "fleet.pids"), "utf8")
    .split("\n").find((l) => l.endsWith(" " + name));
  return Number(line.split(" ")[0]);
}

function killGateway(name) {
  process.kill(pidOf(name), "SIGKILL");
}

/** Polls `check` (async, truthy = done) every 100 ms for up to `ms`. */
async function eventually(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await check().catch(() => false);
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Posts `count` operator messages one after another, 8 per second (under the gateway's
 * WS_RATE_PER_SEC of 10); returns their acks in order.
 */
async function postMessages(client, prefix, count, onAck = () => {}) {
  const acks = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 125));
    const clientId = `${prefix}-${i}`;
    client.send({ type: "message.send", conversation_id: state.conversation, client_id: clientId, text: `${prefix} ${i}` });
    const ack = await client.waitFor((f) => f.type === "message.ack" && f.client_id === clientId, 10000, `ack ${clientId}`);
    acks.push(ack);
    onAck(i);
  }
  return acks;
}

/** message.new seqs in arrival order. */
const seqs = (client) => client.frames.filter((f) => f.type === "message.new").map((f) => f.seq);
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function joined(client, sinceSeq) {
  await client.opened;
  client.send({ type: "conversation.join", conversation_id: state.conversation, since_seq: sinceSeq });
  await client.waitFor((f) => f.type === "conversation.joined");
}

before(async () => {
  redisPort = await freeRange(1);
  redisDir = execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim();
  startRedis();
  fleet = await startFleet({ redisPort });
  [A, B] = fleet.gateways;
  const user = { email: "ops@resilience.example", username: "ops_owner", password: "correct horse 42" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: user })).status, 201);
  const login = await http(A, "POST", "/api/v1/auth/login", { body: { email: user.email, password: user.password } });
  state.token = login.body.access_token;
  const bot = await http(A, "POST", "/api/v1/bots", { token: state.token, body: { name: "Resilience", language: "en" } });
  assert.equal(bot.status, 201);
  const session = await http(A, "POST", `/api/v1/widget/${bot.body.public_id}/sessions`, { body: {} });
  assert.equal(session.status, 201);
  state.visitorToken = session.body.token;
  state.conversation = session.body.conversation_id;
  state.operator = new ChatClient(A, state.token);
  await joined(state.operator, 0);
});

after(() => {
  for (const c of [state.operator, state.visitor, state.visitor2]) c?.close();
  fleet?.stop();
  try {
    killRedis();
  } catch {
    // already gone
  }
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
});

describe("nothing is lost when infrastructure fails", () => {
  test("a killed gateway replica: the visitor resumes on the other one by seq", async () => {
    const visitor = new ChatClient(B, state.visitorToken);
    state.visitor = visitor;
    await joined(visitor, 0);
    const acks = await postMessages(state.operator, "before-kill", 20, (i) => {
      if (i === 9) killGateway("gateway-2");
    });
    await visitor.waitUntil((c) => c.closed, 10000, "the socket on the killed replica to close");
    assert.notEqual(visitor.closed.code, 1000);

    const seen = seqs(visitor);
    const last = seen.length ? seen[seen.length - 1] : 0;
    assert.deepEqual(seen, range(1, last), "in order, no gap, no duplicate before the kill");
    const final = acks[acks.length - 1].seq;
    assert.ok(last < final, "the kill happened mid-stream");

    const resumed = new ChatClient(A, state.visitorToken);
    state.visitor2 = resumed;
    await joined(resumed, last);
    await resumed.waitUntil((c) => seqs(c).includes(final), 10000, `seq ${final}`);
    assert.deepEqual(seqs(resumed), range(last + 1, final), "exactly what was missed, in order");
    assert.deepEqual(acks.map((a) => a.seq), range(1, final), "one seq per message");
  });

  test("a Redis restart: committed messages arrive once Redis is back", async () => {
    const visitor = state.visitor2;
    const before = seqs(visitor).length;
    killRedis();
    // Posting still works: the message is committed; only its publish is lost.
    const acks = await postMessages(state.operator, "redis-down", 5);
    startRedis();
    const final = acks[acks.length - 1].seq;
    // The gateway's subscriber reconnects (backoff up to 2 s) and re-syncs from storage.
    await visitor.waitUntil((c) => seqs(c).includes(final), 15000, `seq ${final} after the restart`);
    const after = seqs(visitor).slice(before);
    assert.deepEqual(after, range(acks[0].seq, final), "every message once, in order");

    // And live fan-out works again.
    const [next] = await postMessages(state.operator, "redis-back", 1);
    await visitor.waitUntil((c) => seqs(c).includes(next.seq), 10000, "a live message after the restart");
    assert.deepEqual(seqs(visitor).slice(before), range(acks[0].seq, next.seq));
  });

  test("a dead service is restarted by the fleet's supervisor; meanwhile only its routes fail", async () => {
    // The replica killed above came back on its port (1 s back-off) with a new pid.
    await eventually(async () => (await http(B, "GET", "/readyz")).status === 200, 15000, "gateway-2 back");
    const fleetLog = readFileSync(path.join(fleet.dir, "logs", "fleet.log"), "utf8");
    assert.match(fleetLog, /fleet: gateway-2 \(pid \d+\) exited with status \d+ after \d+ s; restarting in 1 s/);

    const before = pidOf("bot-registry");
    process.kill(before, "SIGKILL");
    // bot-registry is down for at least the 1 s back-off: bot routes answer 503 at once,
    // readiness and live chat are unaffected.
    const bots = await http(A, "GET", "/api/v1/bots", { token: state.token });
    assert.equal(bots.status, 503);
    assert.equal(bots.body.error.code, "unavailable");
    assert.ok(bots.headers.get("retry-after"));
    assert.equal((await http(A, "GET", "/readyz")).status, 200);
    const [ack] = await postMessages(state.operator, "registry-down", 1);
    assert.ok(ack.seq > 0);

    await eventually(async () => pidOf("bot-registry") !== before, 10000, "a new bot-registry pid");
    await eventually(
      async () => (await http(A, "GET", "/api/v1/bots", { token: state.token })).status === 200,
      20000, "bot routes back after the restart");
    const ready = await http(A, "GET", "/readyz");
    assert.equal(ready.body.dependencies["bot-registry"], "up");
  });
});
