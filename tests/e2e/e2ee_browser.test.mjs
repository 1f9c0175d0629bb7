// End-to-end encrypted private rooms in the chat page (web/src/e2ee, docs/e2ee.md) in headless
// Chromium against the real fleet (two gateway replicas): user A (browser on replica A) creates
// an encrypted private room and an invite, user B (another browser context, replica B) joins by
// the link, both chat, A sends a picture and edits a message — both pages show plaintext.
// PostgreSQL (chat.messages, chat.message_versions, chat.attachments) and the Redis fan-out of
// the room (PSUBSCRIBE during the chat) hold no plaintext, only envelopes. A third user (with a
// device of its own, got the key) leaves: the next message goes out under a new epoch key
// (rotation after key_epoch_stale), readable by A and B. Screenshots: build/screenshots/
// e2ee-room-*.png, the fleet's run dir, and docs/img/e2ee-room.png (when missing or UPDATE_DOCS_IMG=1).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import nodeCrypto from "node:crypto";
import path from "node:path";
import { after, before, test } from "node:test";
import zlib from "node:zlib";
import { launchChromium, SHOTS, shootAndCheck } from "./browser_support.mjs";
import { http, repoRoot, startFleet } from "./harness.mjs";

let fleet;
let browser;
let redisSpy;
let redisText = "";

/** A real PNG (RGB, `w`×`h`, a colour gradient) built with zlib. */
function png(w, h) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + 3 * w);
    for (let x = 0; x < w; x++) row.set([Math.round(255 * x / w), Math.round(255 * y / h), 180], 1 + 3 * x);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

before(async () => {
  fleet = await startFleet();
  browser = await launchChromium();
});

after(async () => {
  redisSpy?.kill();
  await browser?.close();
  fleet?.stop();
});

/** Registers `name`; with `inviteToken` (a team invite) the user joins that invite's tenant. */
async function signUp(G, name, inviteToken) {
  const user = { email: `${name}@e2ee.example`, username: name, password: "e2ee-pass-2026" };
  const body = inviteToken ? { ...user, invite_token: inviteToken } : user;
  const made = await http(G, "POST", "/api/v1/users", { body });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  return made.body;
}

/** A team invite (operator role) of the owner holding `token`. */
async function teamInvite(G, token) {
  const invite = await http(G, "POST", "/api/v1/team/invites", { token, body: { role: "operator" } });
  assert.equal(invite.status, 201, JSON.stringify(invite.body));
  return invite.body.token;
}

async function login(G, name) {
  const r = await http(G, "POST", "/api/v1/auth/login", { body: { email: `${name}@e2ee.example`, password: "e2ee-pass-2026" } });
  assert.equal(r.status, 200);
  return r.body;
}

/**
 * A browser context signed in as `tokens`' user (the dashboard's localStorage session). With
 * `relay`, the page's WebSockets go through it: `relay(frame)` sees each server frame (parsed)
 * and returns false to drop it.
 */
async function signedInPage(tokens, relay) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 860 } });
  const session = JSON.stringify({ access: tokens.access_token, refresh: tokens.refresh_token, accessExpiresAt: Date.now() + tokens.expires_in * 1000 });
  await context.addInitScript((s) => localStorage.setItem("botfactory.dashboard.session", s), session);
  const page = await context.newPage();
  if (relay) {
    await page.routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => { if (relay(JSON.parse(String(m)))) ws.send(m); });
    });
  }
  page.on("pageerror", (e) => console.log("page error:", e.message));
  page.on("console", (m) => { if (m.type() === "warning" || m.type() === "error") console.log(`page ${m.type()}:`, m.text()); });
  return page;
}

const shown = (page, text) => page.waitForFunction((t) => [...document.querySelectorAll(".room-msg .text")].some((e) => e.textContent === t),
  text, { timeout: 20000 });

test("an end-to-end encrypted room between two browsers: plaintext on the pages, envelopes in PostgreSQL and Redis, rotation after a member leaves", async () => {
  const [GA, GB] = fleet.gateways;
  // Three users of one tenant (team accounts): A registers the tenant, moves to a plan with
  // three seats and invites B and C, who register with the invite tokens.
  await signUp(GA, "alice_e2ee");
  const ta = await login(GA, "alice_e2ee");
  assert.equal((await http(GA, "POST", "/api/v1/subscriptions", { token: ta.access_token, body: { plan: "starter" } })).status, 200);
  await signUp(GA, "bob_e2ee", await teamInvite(GA, ta.access_token));
  const c = await signUp(GA, "carol_e2ee", await teamInvite(GA, ta.access_token));
  const tb = await login(GB, "bob_e2ee");
  const tc = await login(GA, "carol_e2ee");
  const bot = (await http(GA, "POST", "/api/v1/bots", { token: ta.access_token, body: { name: "Helper", language: "en" } })).body;

  // A creates the room in the page: private + end-to-end encrypted.
  // A's page does not hear of C's departure (its member.left is dropped), so its next message is
  // sealed under the old epoch: the server refuses it (key_epoch_stale), the page re-reads the
  // keys, takes or creates the epoch-2 key and sends it again.
  let hideDeparture = false;
  const staleRefusals = [];
  const pageA = await signedInPage(ta, (frame) => {
    if (frame.type === "error" && frame.code === "key_epoch_stale") staleRefusals.push(frame);
    return !(hideDeparture && frame.type === "message.new" && frame.message?.event === "member.left");
  });
  await pageA.goto(`${GA}/?bot=${bot.public_id}`);
  await pageA.waitForSelector(".room-create", { timeout: 15000 });
  await pageA.fill(".room-create-name", "Secret plans");
  assert.equal(await pageA.isDisabled(".room-create-e2ee"), true, "encryption needs a private room");
  await pageA.check(".room-create-private");
  await pageA.check(".room-create-e2ee");
  await pageA.click(".room-create-submit");
  await pageA.waitForSelector(".room-view .e2ee-badge", { timeout: 15000 });
  assert.equal(await pageA.textContent(".e2ee-notice"), "End-to-end encrypted: the bot and /ai are unavailable in this room");
  const room = (await http(GA, "GET", "/api/v1/rooms?scope=mine", { token: ta.access_token })).body.rooms.find((r) => r.name === "Secret plans");
  assert.equal(room.e2ee, true);
  assert.equal(room.visibility, "private");
  assert.equal((await http(GA, "PUT", `/api/v1/rooms/${room.id}/bot`, { token: ta.access_token, body: { bot_id: bot.id } })).body.error.code, "e2ee_room");

  // Everything the room publishes on Redis from now on.
  redisSpy = spawn("redis-cli", ["-h", process.env.BOTFACTORY_TEST_REDIS_HOST, "-p", process.env.BOTFACTORY_TEST_REDIS_PORT, "psubscribe", `*${room.id}*`]);
  redisSpy.stdout.on("data", (d) => { redisText += d.toString(); });

  // C joins by REST with a device of its own (node:crypto key): A's page wraps the key for it.
  const invite = async () => (await http(GA, "POST", `/api/v1/rooms/${room.id}/invites`, { token: ta.access_token, body: { ttl_seconds: 3600 } })).body.token;
  assert.equal((await http(GA, "POST", `/api/v1/rooms/${room.id}/join`, { token: tc.access_token, body: { invite_token: await invite() } })).status, 200);
  const ecdh = nodeCrypto.createECDH("prime256v1");
  ecdh.generateKeys();
  const carolDevice = nodeCrypto.randomBytes(16).toString("base64url");
  assert.equal((await http(GA, "PUT", `/api/v1/e2ee/devices/${carolDevice}`, { token: tc.access_token, body: { public_key: ecdh.getPublicKey().toString("base64url") } })).status, 200);

  // B opens A's invite link from the page (replica B) and joins.
  await pageA.click(".room-invite-button");
  const link = await pageA.textContent(".room-invite-url", { timeout: 10000 });
  const pageB = await signedInPage(tb);
  await pageB.goto(link.replace(GA, GB));
  await pageB.waitForSelector(".room-view .e2ee-notice", { timeout: 15000 });

  // Both write; both read plaintext.
  await pageA.fill(".room-input", "The eagle lands at dawn");
  await pageA.click(".room-send");
  await shown(pageB, "The eagle lands at dawn");
  await pageB.fill(".room-input", "Bring the blue umbrella");
  await pageB.click(".room-send");
  await shown(pageA, "Bring the blue umbrella");
  await shown(pageA, "The eagle lands at dawn");

  // C's device got the key too (a member's device without a wrap gets one from a key holder).
  const carolState = await http(GA, "GET", `/api/v1/rooms/${room.id}/e2ee?device_id=${carolDevice}`, { token: tc.access_token });
  assert.equal(carolState.status, 200);
  assert.equal(carolState.body.my_keys.length >= 1, true, "carol's device has a wrap of the room key");

  // A picture: encrypted in A's page, shown decrypted on both.
  await pageA.setInputFiles(".e2ee-file", { name: "sunset-photo.png", mimeType: "image/png", buffer: png(96, 64) });
  for (const page of [pageA, pageB]) {
    await page.waitForFunction(() => document.querySelectorAll(".e2ee-image").length > 0, null, { timeout: 20000 })
      .catch(async (e) => { console.log(await page.innerHTML(".room-messages")); throw e; });
    await page.waitForFunction(() => [...document.querySelectorAll(".e2ee-image")].some((i) => i.src.startsWith("blob:") && i.complete && i.naturalWidth === 96),
      null, { timeout: 20000 });
  }

  // An edit goes through the envelope as well.
  const eagle = pageA.locator(".room-msg", { hasText: "The eagle lands at dawn" });
  await eagle.locator(".e2ee-edit").click();
  await pageA.fill(".room-input", "The eagle lands at noon");
  await pageA.click(".room-send");
  await shown(pageB, "The eagle lands at noon");

  await pageA.locator(".room-messages").scrollIntoViewIfNeeded();
  await shootAndCheck(pageA, "e2ee-room");
  await pageA.screenshot({ path: path.join(fleet.dir, "e2ee-room.png") });
  await pageB.screenshot({ path: path.join(fleet.dir, "e2ee-room-b.png") });
  // The docs' copy is written when missing or asked for (UPDATE_DOCS_IMG=1), so a test run does
  // not leave the checkout modified.
  const docsImg = path.join(repoRoot, "docs/img/e2ee-room.png");
  if (!existsSync(docsImg) || process.env.UPDATE_DOCS_IMG === "1") {
    mkdirSync(path.dirname(docsImg), { recursive: true });
    copyFileSync(path.join(SHOTS, "e2ee-room-1280.png"), docsImg);
  }

  // C leaves: the epoch moves on; A's next message is refused as stale, A's page rotates the key
  // (wrapped for A's and B's devices, not C's) and sends it again; both read it.
  hideDeparture = true;
  await pageB.close();  // B's page would rotate at once on member.left; A is to find out by refusal
  assert.equal((await http(GA, "POST", `/api/v1/rooms/${room.id}/leave`, { token: tc.access_token })).status, 200);
  await pageA.fill(".room-input", "Carol has gone, new key now");
  await pageA.click(".room-send");
  await shown(pageA, "Carol has gone, new key now");
  assert.equal(staleRefusals.length, 1, "A's first try was refused as stale and retried once");
  // B comes back (a new page on the same device, IndexedDB kept): it reads both epochs.
  const pageB2 = await pageB.context().newPage();
  await pageB2.goto(`${GB}/?bot=${bot.public_id}`);
  await pageB2.click(".room-item .room-join");
  await shown(pageB2, "Carol has gone, new key now");
  await shown(pageB2, "The eagle lands at noon");
  // B on a fresh browser (a new device): A's open page wraps the current key for it, so the
  // epoch-2 message reads; epoch-1 messages show the placeholder, never ciphertext.
  const pageB3 = await signedInPage(tb);
  await pageB3.goto(`${GB}/?bot=${bot.public_id}`);
  await pageB3.click(".room-item .room-join");
  await shown(pageB3, "Carol has gone, new key now");
  const placeholder = "🔒 This message cannot be decrypted on this device";
  await shown(pageB3, placeholder);
  const b3texts = await pageB3.$$eval(".room-msg .text", (ps) => ps.map((p) => p.textContent));
  assert.ok(b3texts.every((t) => !t.startsWith("e2ee.")), "no ciphertext on the page");
  assert.ok(!b3texts.includes("Bring the blue umbrella"));
  const aDevices = (await http(GA, "GET", "/api/v1/e2ee/devices", { token: ta.access_token })).body.devices;
  const state = (await http(GA, "GET", `/api/v1/rooms/${room.id}/e2ee?device_id=${aDevices[0].device_id}`, { token: ta.access_token })).body;
  assert.equal(state.key_epoch, 2);
  assert.notEqual(state.key_id, null);
  assert.equal(state.devices.some((d) => d.user_id === c.id), false, "no device of the departed member");
  assert.equal((await http(GA, "GET", `/api/v1/rooms/${room.id}/e2ee?device_id=${carolDevice}`, { token: tc.access_token })).status, 404);

  // PostgreSQL: every chat text of the room is an envelope; no plaintext anywhere.
  const words = ["eagle", "dawn", "noon", "umbrella", "Carol has gone", "sunset-photo"];
  const envelope = /^e2ee\.v1\.[1-9][0-9]*\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,24000}$/;
  const texts = fleet.psql(`SELECT text FROM chat.messages WHERE conversation_id = '${room.id}' AND event IS NULL ORDER BY seq`).split("\n").filter(Boolean);
  assert.ok(texts.length >= 4, `chat messages stored: ${texts.length}`);
  for (const t of texts) assert.match(t, envelope);
  assert.ok(texts.some((t) => t.startsWith("e2ee.v1.2.")), "the message after the departure is of epoch 2");
  const everything = [
    fleet.psql(`SELECT string_agg(m.text, ' ') FROM chat.messages m WHERE m.conversation_id = '${room.id}'`),
    fleet.psql(`SELECT coalesce(string_agg(v.text, ' '), '') FROM chat.message_versions v JOIN chat.messages m ON m.id = v.message_id WHERE m.conversation_id = '${room.id}'`),
    fleet.psql(`SELECT string_agg(original_name || ' ' || media_type, ' ') FROM chat.attachments WHERE conversation_id = '${room.id}'`),
  ].join("\n");
  assert.match(everything, /encrypted\.bin application\/octet-stream/);
  for (const w of words) assert.ok(!everything.includes(w), `"${w}" is not in PostgreSQL`);
  // Redis: the fan-out carried envelopes only.
  assert.match(redisText, /e2ee\.v1\./);
  for (const w of words) assert.ok(!redisText.includes(w), `"${w}" is not in the Redis traffic`);
});
