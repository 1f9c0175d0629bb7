// End-to-end encrypted private rooms (issue 11, docs/e2ee.md) on two gateway replicas, with
// Node's WebCrypto playing the browsers: three users register device keys, an e2ee private
// room is created, the room key is wrapped per the contract's scheme, encrypted messages go
// over WebSocket and REST, an encrypted file is uploaded, a member leaves (the key epoch
// bumps, the others rotate, the departed one gets no new wrap). Meanwhile every byte sent to
// PostgreSQL (through a TCP proxy in front of it) and every Redis command (redis-cli MONITOR)
// is captured, and unique plaintext words of the encrypted chat must appear nowhere — while the
// words of a plain room's chat, captured the same way, are found (so the check can fail).
//
// The three users are one team (team accounts, docs/api.md): alice registers the tenant and
// invites bob and carol, who register with the invite tokens.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes, webcrypto } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ChatClient, freeRange, http, startFleet } from "./harness.mjs";

const subtle = webcrypto.subtle;
const b64u = (bytes) => Buffer.from(bytes).toString("base64url");
const unb64u = (text) => new Uint8Array(Buffer.from(text, "base64url"));
const enc = new TextEncoder();
const word = (tag) => `${tag}${randomBytes(6).toString("hex")}`;  // a unique plaintext marker

let fleet;
let A;
let B;
let proxy;
let monitor;
const state = {};
const clients = [];
const attachmentsDir = mkdtempSync(path.join(tmpdir(), "bf-e2ee-attachments-"));

// ---- captured traffic -------------------------------------------------------------------
const capture = { pgFile: "", pgFrom: 0, redis: "", redisFrom: 0 };

/**
 * A TCP proxy in front of the test PostgreSQL, in a child process (the fleet starts through a
 * synchronous call that would block a proxy in this process), appending every byte of both
 * directions to `file`. Resolves once it listens.
 */
function startPgProxy(pgHost, pgPort, port, file) {
  const code = `
    const net = require("node:net"), fs = require("node:fs");
    const out = fs.openSync(${JSON.stringify(file)}, "a");
    net.createServer((client) => {
      const upstream = net.connect(${pgPort}, ${JSON.stringify(pgHost)});
      client.on("data", (d) => { fs.writeSync(out, d); upstream.write(d); });
      upstream.on("data", (d) => { fs.writeSync(out, d); client.write(d); });
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.end());
      upstream.on("close", () => client.end());
    }).listen(${port}, "127.0.0.1", () => console.log("listening"));`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout.once("data", () => resolve(child));
    child.once("exit", (status) => reject(new Error(`the PostgreSQL proxy exited (${status})`)));
  });
}

/** Starts capturing: remembers where the proxy's file and the MONITOR stream end. */
function captureStart() {
  capture.pgFrom = statSync(capture.pgFile).size;
  capture.redisFrom = capture.redis.length;
}

/**
 * Stops capturing; returns {pg, redis} as latin1 text. MONITOR lines arrive asynchronously: an
 * ECHO of a fresh word is sent and the stream read until it shows (bounded poll), so every
 * command issued before it is in.
 */
async function captureStop() {
  const sentinel = word("sentinel");
  execFileSync("redis-cli", ["-h", process.env.BOTFACTORY_TEST_REDIS_HOST, "-p", process.env.BOTFACTORY_TEST_REDIS_PORT, "ECHO", sentinel]);
  for (let i = 0; i < 100 && !capture.redis.includes(sentinel, capture.redisFrom); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(capture.redis.includes(sentinel, capture.redisFrom), "the MONITOR stream caught up");
  const all = readFileSync(capture.pgFile);
  return { pg: all.subarray(capture.pgFrom).toString("latin1"), redis: capture.redis.slice(capture.redisFrom) };
}

// ---- the browsers' crypto (docs/e2ee.md "Wrap scheme", "Messages", "Files") -------------
async function newDevice() {
  const pair = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const raw = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
  return { id: b64u(randomBytes(16)), pair, publicKey: b64u(raw) };
}

async function wrapKey(roomId, epoch, keyId, roomKey, recipientPublicKey) {
  const eph = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const pub = await subtle.importKey("raw", unb64u(recipientPublicKey), { name: "ECDH", namedCurve: "P-256" }, false, []);
  const aes = await wrapAes(eph.privateKey, pub, roomId, epoch);
  const iv = randomBytes(12);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(keyId) }, aes, roomKey);
  const ephRaw = new Uint8Array(await subtle.exportKey("raw", eph.publicKey));
  return `${b64u(ephRaw)}.${b64u(iv)}.${b64u(new Uint8Array(ct))}`;
}

async function wrapAes(privateKey, publicKey, roomId, epoch) {
  const shared = await subtle.deriveBits({ name: "ECDH", public: publicKey }, privateKey, 256);
  const hkdf = await subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  return subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: enc.encode(`botfactory-e2ee-v1 wrap ${roomId} ${epoch}`) },
    hkdf, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

async function unwrapKey(device, roomId, entry) {
  const [ephB64, ivB64, ctB64] = entry.wrapped_key.split(".");
  const eph = await subtle.importKey("raw", unb64u(ephB64), { name: "ECDH", namedCurve: "P-256" }, false, []);
  const aes = await wrapAes(device.pair.privateKey, eph, roomId, entry.epoch);
  return new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: unb64u(ivB64), additionalData: enc.encode(entry.key_id) },
    aes, unb64u(ctB64)));
}

async function roomAes(roomKey) {
  return subtle.importKey("raw", roomKey, "AES-GCM", false, ["encrypt", "decrypt"]);
}

async function seal(roomId, epoch, keyId, roomKey, payload) {
  const iv = randomBytes(12);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(`${roomId}:${epoch}`) },
    await roomAes(roomKey), enc.encode(JSON.stringify(payload)));
  return `e2ee.v1.${epoch}.${keyId}.${b64u(iv)}.${b64u(new Uint8Array(ct))}`;
}

async function open(roomId, roomKey, envelope) {
  const [, , epoch, , iv, ct] = envelope.split(".");
  const plain = await subtle.decrypt({ name: "AES-GCM", iv: unb64u(iv), additionalData: enc.encode(`${roomId}:${epoch}`) },
    await roomAes(roomKey), unb64u(ct));
  return JSON.parse(new TextDecoder().decode(plain));
}

// ---- helpers ----------------------------------------------------------------------------
function client(base, token) {
  const c = new ChatClient(base, token);
  clients.push(c);
  return c;
}

async function joinRoom(c, roomId) {
  await c.opened;
  const from = c.frames.length;
  c.send({ type: "room.join", room_id: roomId, since_seq: 0 });
  return c.waitUntil((x) => x.frames.slice(from).find((f) => f.type === "room.joined" && f.room_id === roomId), 10000, "room.joined");
}

/** message.send over WebSocket; resolves with the ack or the error frame of that client_id. */
async function wsSend(c, roomId, text) {
  const clientId = "c" + randomBytes(6).toString("hex");
  c.send({ type: "message.send", conversation_id: roomId, client_id: clientId, text });
  return c.waitFor((f) => (f.type === "message.ack" || f.type === "error") && f.client_id === clientId, 10000, "ack " + clientId);
}

async function register(name, inviteToken) {
  const user = { email: `${name}@e2ee.example`, username: name, password: "correct horse 42" };
  const body = inviteToken ? { ...user, invite_token: inviteToken } : user;
  const created = await http(A, "POST", "/api/v1/users", { body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return user;
}

async function login(user) {
  const r = await http(A, "POST", "/api/v1/auth/login", { body: { email: user.email, password: user.password } });
  assert.equal(r.status, 200);
  return r.body.access_token;
}

async function putDevice(base, token, device) {
  return http(base, "PUT", `/api/v1/e2ee/devices/${device.id}`, { token, body: { public_key: device.publicKey } });
}

/** Wraps `roomKey` for every device listed by GET /rooms/{id}/e2ee and POSTs them. */
async function shareKey(base, who, roomId, epoch, keyId, roomKey) {
  const view = await http(base, "GET", `/api/v1/rooms/${roomId}/e2ee?device_id=${who.device.id}`, { token: who.token });
  assert.equal(view.status, 200, JSON.stringify(view.body));
  const keys = [];
  for (const d of view.body.devices) {
    keys.push({ user_id: d.user_id, device_id: d.device_id, wrapped_key: await wrapKey(roomId, epoch, keyId, roomKey, d.public_key) });
  }
  return http(base, "POST", `/api/v1/rooms/${roomId}/e2ee/keys`, { token: who.token, body: { epoch, key_id: keyId, device_id: who.device.id, keys } });
}

/** The room key of `epoch` for `who`'s device, unwrapped from GET /rooms/{id}/e2ee. */
async function fetchKey(base, who, roomId, epoch) {
  const view = await http(base, "GET", `/api/v1/rooms/${roomId}/e2ee?device_id=${who.device.id}`, { token: who.token });
  assert.equal(view.status, 200);
  const entry = view.body.my_keys.find((k) => k.epoch === epoch);
  assert.ok(entry, `a wrap of epoch ${epoch} for ${who.name}`);
  assert.equal(entry.wrapped_by.public_key.length, 87);
  return { key: await unwrapKey(who.device, roomId, entry), keyId: entry.key_id };
}

function dumpChatTables(psql) {
  const tables = psql("SELECT string_agg(format('%I.%I', schemaname, tablename), ' ') FROM pg_tables WHERE schemaname = 'chat'");
  return tables.split(" ").map((t) => psql(`COPY (SELECT * FROM ${t}) TO STDOUT`)).join("\n");
}

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(readFileSync(p).toString("latin1"));
  }
  return out.join("\n");
}

// ---- the fleet --------------------------------------------------------------------------
before(async () => {
  const pgArgs = Object.fromEntries(process.env.BOTFACTORY_TEST_PG_BASE.split(" ").map((kv) => kv.split("=")));
  state.db = "e2ee_" + randomBytes(5).toString("hex");
  state.psql = (sql, db = state.db) => execFileSync("psql", ["-h", pgArgs.host, "-p", pgArgs.port, "-U", pgArgs.user, "-d", db, "-qtAc", sql],
    { encoding: "utf8", maxBuffer: 64 << 20 }).trim();
  state.psql(`CREATE DATABASE ${state.db}`, "postgres");
  const proxyPort = await freeRange(1);
  capture.pgFile = path.join(attachmentsDir, "..", path.basename(attachmentsDir) + "-pg.bin");
  proxy = await startPgProxy(pgArgs.host, Number(pgArgs.port), proxyPort, capture.pgFile);
  fleet = await startFleet({
    env: {
      // Every service talks to PostgreSQL through the recording proxy, on the test's database.
      DATABASE_URL: `host=127.0.0.1 port=${proxyPort} user=${pgArgs.user} dbname=${state.db} sslmode=disable`,
      ATTACHMENTS_DIR: attachmentsDir,
    },
  });
  [A, B] = fleet.gateways;
  monitor = spawn("redis-cli", ["-h", process.env.BOTFACTORY_TEST_REDIS_HOST, "-p", process.env.BOTFACTORY_TEST_REDIS_PORT, "MONITOR"]);
  monitor.stdout.on("data", (d) => { capture.redis += d.toString("latin1"); });
  await new Promise((resolve) => monitor.stdout.once("data", resolve));  // "OK"

  const users = { alice_e2ee: await register("alice_e2ee") };
  const ownerToken = await login(users.alice_e2ee);
  // Three users: more than the trial's two seats.
  assert.equal((await http(A, "POST", "/api/v1/subscriptions", { token: ownerToken, body: { plan: "starter" } })).status, 200);
  for (const name of ["bob_e2ee", "carol_e2ee"]) {
    const invite = await http(A, "POST", "/api/v1/team/invites", { token: ownerToken, body: { role: "operator" } });
    assert.equal(invite.status, 201, JSON.stringify(invite.body));
    users[name] = await register(name, invite.body.token);
  }
  for (const [name, user] of Object.entries(users)) {
    const short = name.split("_")[0];
    state[short] = { name: short, token: await login(user), device: await newDevice() };
    const me = await http(A, "GET", "/api/v1/users/me", { token: state[short].token });
    state[short].id = me.body.id;
  }
  assert.ok(state.alice.id && state.bob.id && state.carol.id);
});

after(() => {
  for (const c of clients) c.close();
  monitor?.kill();
  fleet?.stop();
  proxy?.kill();
  rmSync(capture.pgFile, { force: true });
  try {
    state.psql?.(`DROP DATABASE IF EXISTS ${state.db} WITH (FORCE)`, "postgres");
  } catch {
    // the harness removes the server afterwards
  }
  rmSync(attachmentsDir, { recursive: true, force: true });
});

describe("end-to-end encrypted rooms on two gateway replicas", () => {
  test("device keys: registered idempotently, checked on P-256, a changed key is 409, visitors and bad input refused", async () => {
    const { alice, bob, carol } = state;
    const first = await putDevice(A, alice.token, alice.device);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.public_key, alice.device.publicKey);
    assert.equal((await putDevice(B, alice.token, alice.device)).status, 200);  // idempotent, other replica
    assert.equal((await putDevice(B, bob.token, bob.device)).status, 200);
    assert.equal((await putDevice(A, carol.token, carol.device)).status, 200);
    const other = await newDevice();
    const changed = await http(A, "PUT", `/api/v1/e2ee/devices/${alice.device.id}`, { token: alice.token, body: { public_key: other.publicKey } });
    assert.equal(changed.status, 409);
    assert.equal(changed.body.error.code, "conflict");
    const bad = alice.device.publicKey.slice(0, 60) + (alice.device.publicKey[60] === "A" ? "B" : "A") + alice.device.publicKey.slice(61);
    const offCurve = await http(A, "PUT", `/api/v1/e2ee/devices/${b64u(randomBytes(16))}`, { token: alice.token, body: { public_key: bad } });
    assert.equal(offCurve.status, 400);
    assert.equal(offCurve.body.error.code, "validation_failed");
    assert.equal((await http(A, "PUT", "/api/v1/e2ee/devices/short", { token: alice.token, body: { public_key: other.publicKey } })).status, 400);
    const huge = await http(A, "PUT", `/api/v1/e2ee/devices/${b64u(randomBytes(16))}`, { token: alice.token, body: { public_key: "x".repeat(5000) } });
    assert.equal(huge.status, 413);
    const mine = await http(A, "GET", "/api/v1/e2ee/devices", { token: alice.token });
    assert.deepEqual(mine.body.devices.map((d) => d.device_id), [alice.device.id]);
    assert.equal((await http(A, "GET", "/api/v1/e2ee/devices")).status, 401);
  });

  test("an e2ee private room: keys wrapped per device, encrypted chat over WebSocket and REST, an encrypted file, no bot", async () => {
    const { alice, bob, carol } = state;
    const publicE2ee = await http(A, "POST", "/api/v1/rooms", { token: alice.token, body: { name: "x", visibility: "public", e2ee: true } });
    assert.equal(publicE2ee.status, 400);
    assert.equal(publicE2ee.body.error.code, "validation_failed");
    const room = await http(A, "POST", "/api/v1/rooms", { token: alice.token, body: { name: "Secret plans", visibility: "private", e2ee: true } });
    assert.equal(room.status, 201, JSON.stringify(room.body));
    assert.equal(room.body.e2ee, true);
    assert.equal(room.body.key_epoch, 1);
    const roomId = state.roomId = room.body.id;
    const invite = await http(A, "POST", `/api/v1/rooms/${roomId}/invites`, { token: alice.token, body: {} });
    assert.equal((await http(B, "POST", `/api/v1/rooms/${roomId}/join`, { token: bob.token, body: { invite_token: invite.body.token } })).status, 200);
    assert.equal((await http(A, "POST", `/api/v1/rooms/${roomId}/join`, { token: carol.token, body: { invite_token: invite.body.token } })).status, 200);
    const bot = await http(A, "PUT", `/api/v1/rooms/${roomId}/bot`, { token: alice.token, body: { bot_id: "00000000-0000-4000-8000-000000000001" } });
    assert.equal(bot.status, 409);
    assert.equal(bot.body.error.code, "e2ee_room");

    // Epoch 1: alice creates the room key and wraps it for the three devices.
    const roomKey = new Uint8Array(randomBytes(32));
    const keyId = b64u(randomBytes(16));
    const shared = await shareKey(A, alice, roomId, 1, keyId, roomKey);
    assert.equal(shared.status, 200, JSON.stringify(shared.body));
    assert.deepEqual(shared.body, { key_epoch: 1, key_id: keyId, stored: 3 });
    const late = await shareKey(B, bob, roomId, 1, b64u(randomBytes(16)), new Uint8Array(randomBytes(32)));
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, "key_conflict");
    for (const who of [bob, carol]) {
      const got = await fetchKey(who === bob ? B : A, who, roomId, 1);
      assert.deepEqual(got.key, roomKey);
      assert.equal(got.keyId, keyId);
    }

    // The encrypted chat, captured.
    const aliceWs = client(A, alice.token);
    const bobWs = client(B, bob.token);
    await joinRoom(aliceWs, roomId);
    await joinRoom(bobWs, roomId);
    state.secret = { ws: word("owlfeather"), rest: word("tidepool"), edit: word("lanternfish"), file: word("quillmoss"), name: word("velvetcask") };
    captureStart();
    const wsText = `meet at the ${state.secret.ws} at noon`;
    const ack = await wsSend(aliceWs, roomId, await seal(roomId, 1, keyId, roomKey, { text: wsText }));
    assert.equal(ack.type, "message.ack", JSON.stringify(ack));
    const onB = await bobWs.waitFor((f) => f.type === "message.new" && f.seq === ack.seq, 10000, "alice's message on B");
    assert.match(onB.message.text, /^e2ee\.v1\.1\./);
    assert.equal((await open(roomId, roomKey, onB.message.text)).text, wsText);

    const restText = `the code word is ${state.secret.rest}`;
    const posted = await http(B, "POST", `/api/v1/rooms/${roomId}/messages`, { token: bob.token, body: { client_id: "r1", text: await seal(roomId, 1, keyId, roomKey, { text: restText }) } });
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const onA = await aliceWs.waitFor((f) => f.type === "message.new" && f.seq === posted.body.seq, 10000, "bob's message on A");
    assert.equal((await open(roomId, roomKey, onA.message.text)).text, restText);

    // Edit: an envelope again (plaintext refused).
    aliceWs.send({ type: "message.edit", conversation_id: roomId, seq: ack.seq, text: `plain ${state.secret.edit}` });
    const editRefused = await aliceWs.waitFor((f) => f.type === "error" && f.code === "e2ee_required", 10000, "edit refused");
    assert.ok(editRefused);
    aliceWs.send({ type: "message.edit", conversation_id: roomId, seq: ack.seq, text: await seal(roomId, 1, keyId, roomKey, { text: `edited ${state.secret.edit}` }) });
    await bobWs.waitFor((f) => f.type === "message.edited" && f.target_seq === ack.seq, 10000, "the edit on B");

    // The file: encrypted bytes uploaded as encrypted.bin, its name and type inside the message.
    const fileBytes = enc.encode(`top secret file ${state.secret.file}\n`.repeat(20));
    const fiv = randomBytes(12);
    const fct = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: fiv }, await roomAes(roomKey), fileBytes));
    const blob = Buffer.concat([fiv, Buffer.from(fct)]);
    const upload = await fetch(`${A}/api/v1/conversations/${roomId}/attachments?name=encrypted.bin&client_id=f1`, {
      method: "POST", body: blob, headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/octet-stream" } });
    const up = { status: upload.status, body: await upload.json() };
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.attachment.media_type, "application/octet-stream");
    assert.equal(up.body.attachment.has_thumbnail ?? false, false);
    const meta = { id: up.body.attachment.id, name: `${state.secret.name}.txt`, type: "text/plain", size: fileBytes.length };
    const fileAck = await wsSend(aliceWs, roomId, await seal(roomId, 1, keyId, roomKey, { text: "", attachment: meta }));
    assert.equal(fileAck.type, "message.ack");
    const fileMsg = await bobWs.waitFor((f) => f.type === "message.new" && f.seq === fileAck.seq, 10000, "file message on B");
    const opened = await open(roomId, roomKey, fileMsg.message.text);
    const download = await fetch(`${B}/api/v1/attachments/${opened.attachment.id}`, { headers: { Authorization: `Bearer ${bob.token}` } });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "application/octet-stream");
    assert.match(download.headers.get("content-disposition"), /^attachment/);
    const got = new Uint8Array(await download.arrayBuffer());
    const plainFile = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: got.slice(0, 12) }, await roomAes(roomKey), got.slice(12)));
    assert.deepEqual(plainFile, fileBytes);

    // Refusals: plaintext, /ai, a wrong key id (WebSocket codes; REST 400 / 409).
    assert.equal((await wsSend(bobWs, roomId, "hello in clear")).code, "e2ee_required");
    assert.equal((await wsSend(bobWs, roomId, "/ai summarize")).code, "e2ee_required");
    assert.equal((await wsSend(bobWs, roomId, await seal(roomId, 1, b64u(randomBytes(16)), roomKey, { text: "x" }))).code, "key_conflict");
    const restPlain = await http(A, "POST", `/api/v1/rooms/${roomId}/messages`, { token: alice.token, body: { client_id: "r2", text: "hello" } });
    assert.equal(restPlain.status, 400);
    assert.equal(restPlain.body.error.code, "validation_failed");
    assert.match(restPlain.body.error.message, /^e2ee_required/);
    const restStale = await http(A, "POST", `/api/v1/rooms/${roomId}/messages`, { token: alice.token, body: { client_id: "r3", text: await seal(roomId, 2, keyId, roomKey, { text: "x" }) } });
    assert.equal(restStale.status, 409);
    assert.equal(restStale.body.error.code, "key_epoch_stale");
    // Plaintext files are not a thing in e2ee rooms either: a PNG's bytes are stored as octet-stream.
    state.captured = await captureStop();
    state.key1 = { key: roomKey, keyId };
  });

  test("a member leaves: the epoch bumps, the others rotate, the departed one gets no new wrap", async () => {
    const { alice, bob, carol } = state;
    const roomId = state.roomId;
    const left = await http(A, "POST", `/api/v1/rooms/${roomId}/leave`, { token: carol.token });
    assert.equal(left.status, 200);
    const room = await http(B, "GET", `/api/v1/rooms/${roomId}`, { token: bob.token });
    assert.equal(room.body.key_epoch, 2);
    assert.equal((await http(A, "GET", `/api/v1/rooms/${roomId}/e2ee?device_id=${carol.device.id}`, { token: carol.token })).status, 404);

    // Epoch-1 messages are stale now.
    const bobWs = client(B, bob.token);
    await joinRoom(bobWs, roomId);
    const stale = await wsSend(bobWs, roomId, await seal(roomId, 1, state.key1.keyId, state.key1.key, { text: "old key" }));
    assert.equal(stale.code, "key_epoch_stale");

    // bob rotates: a wrap for carol's device is refused; the remaining devices get epoch 2.
    const view = await http(B, "GET", `/api/v1/rooms/${roomId}/e2ee?device_id=${bob.device.id}`, { token: bob.token });
    assert.equal(view.body.key_epoch, 2);
    assert.equal(view.body.key_id, null);
    assert.deepEqual(view.body.devices.map((d) => d.user_id).sort(), [alice.id, bob.id].sort());
    assert.ok(view.body.devices.every((d) => d.has_key === false));
    const key2 = new Uint8Array(randomBytes(32));
    const keyId2 = b64u(randomBytes(16));
    const toCarol = await http(B, "POST", `/api/v1/rooms/${roomId}/e2ee/keys`, { token: bob.token, body: {
      epoch: 2, key_id: keyId2, device_id: bob.device.id,
      keys: [{ user_id: carol.id, device_id: carol.device.id, wrapped_key: await wrapKey(roomId, 2, keyId2, key2, carol.device.publicKey) }] } });
    assert.equal(toCarol.status, 400);
    const staleKeys = await http(B, "POST", `/api/v1/rooms/${roomId}/e2ee/keys`, { token: bob.token, body: {
      epoch: 1, key_id: keyId2, device_id: bob.device.id, keys: [{ user_id: bob.id, device_id: bob.device.id, wrapped_key: "a.b.c" }] } });
    assert.equal(staleKeys.status, 409);
    assert.equal(staleKeys.body.error.code, "key_epoch_stale");
    assert.match(staleKeys.body.error.message, /key_epoch is 2/);
    const rotated = await shareKey(B, bob, roomId, 2, keyId2, key2);
    assert.deepEqual(rotated.body, { key_epoch: 2, key_id: keyId2, stored: 2 });
    const aliceKey = await fetchKey(A, alice, roomId, 2);
    assert.deepEqual(aliceKey.key, key2);
    const after = await http(B, "GET", `/api/v1/rooms/${roomId}/e2ee?device_id=${bob.device.id}`, { token: bob.token });
    assert.ok(after.body.devices.every((d) => d.has_key));
    assert.deepEqual(after.body.my_keys.map((k) => k.epoch), [1, 2]);
    // The departed member's device holds epoch 1 only (checked in the database).
    assert.equal(state.psql(`SELECT string_agg(epoch::text, ',') FROM chat.e2ee_room_key_wraps WHERE device_id = '${carol.device.id}'`), "1");
    const fresh = await wsSend(bobWs, roomId, await seal(roomId, 2, keyId2, key2, { text: "after rotation" }));
    assert.equal(fresh.type, "message.ack");
  });

  test("no plaintext of the encrypted chat in PostgreSQL or Redis traffic, nor in the tables; a plain room's words are found", async (t) => {
    const encrypted = state.captured;
    t.diagnostic(`captured during the encrypted chat: PostgreSQL ${encrypted.pg.length} bytes, Redis MONITOR ${encrypted.redis.length} bytes`);
    const tables = dumpChatTables(state.psql);
    const files = filesUnder(attachmentsDir);
    assert.ok(encrypted.pg.length > 10000, `PostgreSQL traffic captured (${encrypted.pg.length} bytes)`);
    assert.ok(encrypted.redis.includes("PUBLISH"), "Redis traffic captured");
    assert.ok(encrypted.pg.includes("e2ee.v1.1."), "the envelopes went to PostgreSQL");
    for (const [what, marker] of Object.entries(state.secret)) {
      assert.ok(!encrypted.pg.includes(marker), `${what} marker in PostgreSQL traffic`);
      assert.ok(!encrypted.redis.includes(marker), `${what} marker in Redis traffic`);
      assert.ok(!tables.includes(marker), `${what} marker in the chat tables`);
      assert.ok(!files.includes(marker), `${what} marker in the stored files`);
    }

    // The control: the same chat in a plain private room, captured the same way.
    const { alice, bob } = state;
    const room = await http(A, "POST", "/api/v1/rooms", { token: alice.token, body: { name: "Plain", visibility: "private" } });
    assert.equal(room.body.e2ee, false);
    const invite = await http(A, "POST", `/api/v1/rooms/${room.body.id}/invites`, { token: alice.token, body: {} });
    await http(B, "POST", `/api/v1/rooms/${room.body.id}/join`, { token: bob.token, body: { invite_token: invite.body.token } });
    const aliceWs = client(A, alice.token);
    await joinRoom(aliceWs, room.body.id);
    const plain = { ws: word("owlfeather"), rest: word("tidepool") };
    captureStart();
    const sent = await wsSend(aliceWs, room.body.id, `meet at the ${plain.ws}`);
    assert.equal(sent.type, "message.ack");
    const posted = await http(B, "POST", `/api/v1/rooms/${room.body.id}/messages`, { token: bob.token, body: { client_id: "p1", text: `code ${plain.rest}` } });
    assert.equal(posted.status, 201);
    // Both were published (the socket saw them) before the capture ends.
    for (const seq of [sent.seq, posted.body.seq]) await aliceWs.waitFor((f) => f.type === "message.new" && f.seq === seq, 10000, `seq ${seq}`);
    const control = await captureStop();
    const controlTables = dumpChatTables(state.psql);
    for (const marker of Object.values(plain)) {
      assert.ok(control.pg.includes(marker), "a plain room's words are in PostgreSQL traffic");
      assert.ok(control.redis.includes(marker), "a plain room's words are in Redis traffic");
      assert.ok(controlTables.includes(marker), "a plain room's words are in the chat tables");
    }
  });
});
