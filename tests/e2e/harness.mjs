// Test harness for the end-to-end suite: a private database on the test PostgreSQL, the whole
// fleet (scripts/fleet.sh) on free loopback ports, and small HTTP/WebSocket client helpers.
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const jwtSecret = "e2e-secret-" + randomBytes(16).toString("hex");
/** The fleet's INTERNAL_RPC_SECRET (every service-to-service call carries it). */
export const internalRpcSecret = "e2e-internal-" + randomBytes(24).toString("hex");
/** bot-registry's PROVIDER_KEYS_SECRET (the 32-byte key sealing tenants' provider keys, hex). */
export const providerKeysSecret = randomBytes(32).toString("hex");
/** channel-connector's CHANNEL_CREDENTIALS_SECRET (the 32-byte key sealing channel tokens, hex). */
export const channelCredentialsSecret = randomBytes(32).toString("hex");
/** channel-connector's WEBHOOK_SECRETS_KEY (the 32-byte key sealing webhook signing secrets, hex). */
export const webhookSecretsKey = randomBytes(32).toString("hex");

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through scripts/test.sh (make test)`);
  return value;
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * The first port of the kernel's ephemeral range (outbound connections take their local port
 * from it, so a port chosen there may be taken between the check and the service's bind).
 */
function ephemeralStart() {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/** A base port B such that B..B+count-1 are free now, all below the ephemeral range. */
export async function freeRange(count) {
  const top = Math.max(12000, ephemeralStart()) - count;
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 10000 + Math.floor(Math.random() * (top - 10000));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
  throw new Error("no free port range");
}

/**
 * Starts the six services (gateway as two replicas) on free ports against a fresh database;
 * returns {gateways: [url1, url2], stop, psql, dir} (DIR/fleet.pids: "pid name" lines).
 * `redisPort` overrides the test Redis (for a test that restarts its own Redis); `env` adds or
 * overrides environment variables of every service (e.g. OPENAI_BASE_URL, LOG_LEVEL).
 */
export async function startFleet({ redisPort, env: extraEnv = {} } = {}) {
  const pgBase = requiredEnv("BOTFACTORY_TEST_PG_BASE");
  const buildDir = requiredEnv("BOTFACTORY_BUILD_DIR");
  const dbName = "e2e_" + randomBytes(5).toString("hex");
  const pgArgs = Object.fromEntries(pgBase.split(" ").map((kv) => kv.split("=")));
  const psql = (sql, db = dbName) =>
    execFileSync("psql", ["-h", pgArgs.host, "-p", pgArgs.port, "-U", pgArgs.user, "-d", db, "-qtAc", sql], {
      encoding: "utf8",
    }).trim();
  psql(`CREATE DATABASE ${dbName}`, "postgres");
  // Another process may still take a port between the check and the bind: try fresh ranges.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startFleetOnce({ redisPort, extraEnv, pgBase, buildDir, dbName, psql });
    } catch (err) {
      if (attempt >= 3) throw err;
      console.error(`fleet start failed (attempt ${attempt}), retrying on other ports: ${err.message}`);
    }
  }
}

async function startFleetOnce({ redisPort, extraEnv, pgBase, buildDir, dbName, psql }) {
  const base = await freeRange(20);
  const gatewayPorts = [base + 18, base + 19];
  const dir = mkdtempSync(path.join(tmpdir(), "botfactory-e2e-"));
  const env = {
    ...process.env,
    DATABASE_URL: `${pgBase} dbname=${dbName}`,
    REDIS_HOST: requiredEnv("BOTFACTORY_TEST_REDIS_HOST"),
    REDIS_PORT: String(redisPort ?? requiredEnv("BOTFACTORY_TEST_REDIS_PORT")),
    BIN_DIR: buildDir,
    PORT_BASE: String(base),
    GATEWAY_PORTS: gatewayPorts.join(" "),
    WEB_ROOT: path.join(repoRoot, "web/dist"),
    JWT_SECRET: jwtSecret,
    INTERNAL_RPC_SECRET: internalRpcSecret,
    PROVIDER_KEYS_SECRET: providerKeysSecret,
    CHANNEL_CREDENTIALS_SECRET: channelCredentialsSecret,
    WEBHOOK_SECRETS_KEY: webhookSecretsKey,
    BOTFACTORY_INSECURE_DEV: "", // the fleet must run with real secrets
    REDIS_KEY_PREFIX: `${dbName}:`, // this fleet's own rate-limit counters
    LOG_LEVEL: "warn",
    // Tenants' provider base URLs may name 127.0.0.1 (the fake model servers of the tests run
    // there); production keeps the default "off" (docs/security.md, SSRF).
    LLM_TENANT_PRIVATE_ADDRESSES: process.env.LLM_TENANT_PRIVATE_ADDRESSES ?? "on",
    // hooks: outgoing webhooks may target the tests' receivers on 127.0.0.1 over http://
    // (production keeps the default off: docs/security.md "Outgoing webhooks").
    WEBHOOK_ALLOW_PRIVATE: process.env.WEBHOOK_ALLOW_PRIVATE ?? "1",
    ...extraEnv,
  };
  execFileSync(path.join(repoRoot, "scripts/fleet.sh"), ["start", dir], { env, stdio: "inherit" });
  const stop = () => {
    execFileSync(path.join(repoRoot, "scripts/fleet.sh"), ["stop", dir], { env, stdio: "inherit" });
    try {
      psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`, "postgres");
    } catch {
      // the harness removes the server afterwards
    }
  };
  return { gateways: gatewayPorts.map((p) => `http://127.0.0.1:${p}`), stop, psql, dir };
}

/** JSON HTTP call; returns {status, body, headers}. `body` may be a string (sent raw). */
export async function http(base, method, route, { body, token, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let payload = body;
  if (body !== undefined && typeof body !== "string" && !(body instanceof FormData)) {
    payload = JSON.stringify(body);
    h["Content-Type"] = "application/json";
  }
  const response = await fetch(base + route, { method, headers: h, body: payload });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/**
 * Signs `owner` ({email, username, password}) up on the gateway at `base` (asserts 201) and logs
 * it in; resolves with its access token.
 */
export async function registerOwner(base, owner) {
  assert.equal((await http(base, "POST", "/api/v1/users", { body: owner })).status, 201);
  return (await http(base, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
}

/**
 * The seed FAQ articles (deploy/seed/mozilla-faq/docs.<lang>.jsonl) whose id starts with
 * `product` ("relay", "commonvoice", ...), in file order: [{id, title, text, ...}].
 */
export function faqDocs(product, lang = "en") {
  return readFileSync(path.join(repoRoot, `deploy/seed/mozilla-faq/docs.${lang}.jsonl`), "utf8")
    .split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((d) => d.id.startsWith(product));
}

/**
 * Adds the Firefox Relay articles of the seed FAQ (faqDocs("relay"); the first `count` when given)
 * to a bot's knowledge base as text documents, one POST each as the owner `token`; asserts every
 * answer is 201. Returns the documents added.
 */
export async function addRelayKnowledge(base, token, botId, { count } = {}) {
  const docs = faqDocs("relay").slice(0, count);
  for (const d of docs) {
    const res = await http(base, "POST", `/api/v1/bots/${botId}/knowledge`, { token, body: { title: d.title, format: "text", body: d.text } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
  return docs;
}

/**
 * A new visitor of a bot's widget (POST /api/v1/widget/{publicId}/sessions), joined to its
 * conversation over the WebSocket. The client is pushed onto `clients` so the caller closes it.
 * Returns {client, id (conversation id), token (the visitor's token)}.
 */
export async function joinedWidgetVisitor(base, publicId, clients) {
  const session = await http(base, "POST", `/api/v1/widget/${publicId}/sessions`, { body: {} });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  const client = new ChatClient(base, session.body.token);
  clients.push(client);
  await client.opened;
  client.send({ type: "conversation.join", conversation_id: session.body.conversation_id, since_seq: 0 });
  await client.waitFor((f) => f.type === "conversation.joined", 10000, "visitor joined");
  return { client, id: session.body.conversation_id, token: session.body.token };
}

/**
 * Sends `text` as the visitor `v` ({client, id} from joinedWidgetVisitor) and waits for the bot's
 * answer (up to 10 s for the ack, 20 s for the reply). Resolves with {ask: the visitor message's
 * seq, reply: the bot's message.new frame}.
 */
export async function askBot(v, text) {
  const clientId = `q-${Math.random().toString(36).slice(2)}`;
  v.client.send({ type: "message.send", conversation_id: v.id, client_id: clientId, text });
  const ack = await v.client.waitFor((f) => f.type === "message.ack" && f.client_id === clientId, 10000, "ack");
  const reply = await v.client.waitFor((f) => f.type === "message.new" && f.seq > ack.seq &&
    f.message.sender.kind === "bot", 20000, `the bot's reply to ${text}`);
  return { ask: ack.seq, reply };
}

/** An HS256 JWT signed with the fleet's secret (RFC 7519), for expired-token tests. */
export function signJwt(claims) {
  const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");
  const head = b64({ alg: "HS256", typ: "JWT" });
  const body = b64(claims);
  const sig = createHmac("sha256", jwtSecret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

/** A WebSocket client that records every frame and lets tests wait for one. */
export class ChatClient {
  constructor(baseUrl, token) {
    this.frames = [];
    this.waiters = [];
    this.closed = null;
    this.ws = new WebSocket(baseUrl.replace("http", "ws") + "/ws?token=" + encodeURIComponent(token));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", resolve);
      this.ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      this.ws.once("error", reject);
    });
    this.ws.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      this.frames.push(frame);
      this.check();
    });
    this.ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.check();
    });
  }
  check() {
    this.waiters = this.waiters.filter((w) => {
      const found = w.predicate(this);
      if (found) w.resolve(found);
      return !found;
    });
  }
  send(frame) {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }
  /** Resolves with the first recorded frame matching `predicate`, or rejects after `ms`. */
  waitFor(predicate, ms = 10000, what = "frame") {
    return this.waitUntil((c) => c.frames.find(predicate), ms, what);
  }
  waitUntil(predicate, ms = 10000, what = "condition") {
    return new Promise((resolve, reject) => {
      const found = predicate(this);
      if (found) return resolve(found);
      const waiter = { predicate, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`));
      }, ms);
    });
  }
  messages() {
    const bySeq = new Map();
    for (const f of this.frames) if (f.type === "message.new") bySeq.set(f.seq, f);
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
  close() {
    this.ws.close();
  }
}

/**
 * startFleet with `replicas` channel-connector replicas (scripts/fleet.sh CHANNEL_REPLICAS: the
 * gateways reach them all through an `ipv4:` target with gRPC round_robin) and, unless
 * `restart` is true, without the supervisors' restarts (a killed replica stays dead). `options`
 * as startFleet's. Adds `pids()`: {name: pid} from DIR/fleet.pids ("channel-connector",
 * "channel-connector-2", "gateway-1", …).
 */
export async function startFleetWithChannelReplicas(replicas, { restart = false, ...options } = {}) {
  const env = { ...(options.env ?? {}), CHANNEL_REPLICAS: String(replicas), ...(restart ? {} : { FLEET_RESTART: "0" }) };
  const fleet = await startFleet({ ...options, env });
  fleet.pids = () => Object.fromEntries(readFileSync(path.join(fleet.dir, "fleet.pids"), "utf8").trim().split("\n")
    .map((l) => l.split(" ")).map(([pid, name]) => [name, Number(pid)]));
  return fleet;
}

// PNG test pictures (attachments and rooms browser tests).
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A `w` × `h` RGB PNG with a diagonal colour gradient. */
export function gradientPng(w, h) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc(h * (1 + w * 3));
  for (let y = 0; y < h; y++) {
    const row = y * (1 + w * 3);
    for (let x = 0; x < w; x++) {
      raw[row + 1 + x * 3] = Math.round((255 * x) / w);
      raw[row + 2 + x * 3] = Math.round((255 * y) / h);
      raw[row + 3 + x * 3] = 200;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}
