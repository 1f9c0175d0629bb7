// Member verification in encrypted rooms (web/src/e2ee/verify-panel.ts, docs/e2ee.md "Verifying
// members") in headless Chromium against the real fleet: A's page (replica A) and B's page
// (replica B) show the SAME 60-digit safety number for each other, equal to an independent
// node:crypto computation over the devices the REST API lists. A marks B verified. Then a new
// device is registered for B through the REST API with B's token — standing in for a device a
// hostile server injects — and one for C (a member A never verified). A's page warns "B's keys
// changed", and when it next wraps the room key (its has_key=false sweep on opening the room, and
// the new epoch after D leaves) the server holds no wrap for B's new device, while B's old device,
// C's devices (old and new) and A's get theirs. Verifying B again lets B's new device have the key.
// Screenshots: build/screenshots/e2ee-verify-*.png, docs/img/e2ee-verify.png (when missing or
// UPDATE_DOCS_IMG=1).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import nodeCrypto from "node:crypto";
import path from "node:path";
import { after, before, test } from "node:test";
import { launchChromium, shootAndCheck } from "./browser_support.mjs";
import { http, repoRoot, startFleet } from "./harness.mjs";

let fleet;
let browser;

before(async () => {
  fleet = await startFleet();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  fleet?.stop();
});

const password = "verify-pass-2026";

async function signUp(G, name, inviteToken) {
  const body = { email: `${name}@verify.example`, username: name, password, ...(inviteToken ? { invite_token: inviteToken } : {}) };
  const made = await http(G, "POST", "/api/v1/users", { body });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const r = await http(G, "POST", "/api/v1/auth/login", { body: { email: body.email, password } });
  assert.equal(r.status, 200);
  return { ...r.body, id: made.body.id, name };
}

async function teamInvite(G, token) {
  const invite = await http(G, "POST", "/api/v1/team/invites", { token, body: { role: "operator" } });
  assert.equal(invite.status, 201, JSON.stringify(invite.body));
  return invite.body.token;
}

/** Registers a device with a node:crypto P-256 key for `user`; returns its id and public key. */
async function registerDevice(G, user) {
  const ecdh = nodeCrypto.createECDH("prime256v1");
  ecdh.generateKeys();
  const device = { id: nodeCrypto.randomBytes(16).toString("base64url"), publicKey: ecdh.getPublicKey().toString("base64url") };
  const r = await http(G, "PUT", `/api/v1/e2ee/devices/${device.id}`, { token: user.access_token, body: { public_key: device.publicKey } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return device;
}

async function signedInPage(user) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const session = JSON.stringify({ access: user.access_token, refresh: user.refresh_token, accessExpiresAt: Date.now() + user.expires_in * 1000 });
  await context.addInitScript((s) => localStorage.setItem("botfactory.dashboard.session", s), session);
  const page = await context.newPage();
  page.on("pageerror", (e) => console.log("page error:", e.message));
  page.on("console", (m) => { if (m.type() === "warning" || m.type() === "error") console.log(`page ${m.type()}:`, m.text()); });
  return page;
}

/** Opens the room list of the page at `url` and the (only) room in it. */
async function openRoom(page, url) {
  await page.goto(url);
  await page.click(".room-item .room-join", { timeout: 15000 });
  await page.waitForSelector(".room-view .e2ee-verify-button", { timeout: 15000 });
}

/** The 60 digits of the safety number `page`'s panel shows for member `userId` (panel opened if closed). */
async function shownNumber(page, userId) {
  if (await page.isHidden(".e2ee-verify-panel")) await page.click(".e2ee-verify-button");
  const row = `.e2ee-verify-member[data-user-id="${userId}"]`;
  await page.waitForFunction((sel) => document.querySelectorAll(`${sel} .e2ee-digits`).length === 12, row, { timeout: 30000 });
  const groups = await page.$$eval(`${row} .e2ee-digits`, (spans) => spans.map((s) => s.textContent));
  for (const g of groups) assert.match(g, /^\d{5}$/);
  return groups.join("");
}

const trustOf = (page, userId) => page.getAttribute(`.e2ee-verify-member[data-user-id="${userId}"]`, "data-trust");

/** Signal's numeric fingerprint over a user's device keys, independently with node:crypto (docs/e2ee.md). */
function referenceHalf(userId, publicKeys) {
  const keys = Buffer.concat(publicKeys.map((k) => Buffer.from(k, "base64url")).sort(Buffer.compare));
  let hash = Buffer.concat([Buffer.from([0, 0]), keys, Buffer.from(userId)]);
  for (let i = 0; i < 5200; i++) hash = nodeCrypto.createHash("sha512").update(hash).update(keys).digest();
  let half = "";
  for (let at = 0; at < 30; at += 5) half += String(hash.readUIntBE(at, 5) % 100000).padStart(5, "0");
  return half;
}

/** Bounded poll: `probe()` until it returns a truthy value (≤ `ms`), else fails with `what`. */
async function until(what, probe, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("safety numbers match across two browsers; after B is verified, a device added to B's account gets no room key from A's page", async () => {
  const [GA, GB] = fleet.gateways;
  const alice = await signUp(GA, "alice_v");
  assert.equal((await http(GA, "POST", "/api/v1/subscriptions", { token: alice.access_token, body: { plan: "starter" } })).status, 200);
  const bob = await signUp(GA, "bob_v", await teamInvite(GA, alice.access_token));
  const carol = await signUp(GA, "carol_v", await teamInvite(GA, alice.access_token));
  const dave = await signUp(GA, "dave_v", await teamInvite(GA, alice.access_token));
  const bot = (await http(GA, "POST", "/api/v1/bots", { token: alice.access_token, body: { name: "Helper", language: "en" } })).body;

  // An encrypted private room of A; B, C and D join by invites; C and D have node:crypto devices.
  const created = await http(GA, "POST", "/api/v1/rooms", { token: alice.access_token, body: { name: "Verified room", visibility: "private", e2ee: true } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const room = created.body;
  for (const user of [bob, carol, dave]) {
    const invite = (await http(GA, "POST", `/api/v1/rooms/${room.id}/invites`, { token: alice.access_token, body: {} })).body.token;
    assert.equal((await http(GA, "POST", `/api/v1/rooms/${room.id}/join`, { token: user.access_token, body: { invite_token: invite } })).status, 200);
  }
  const carolOld = await registerDevice(GA, carol);
  const daveDevice = await registerDevice(GA, dave);
  const state = async (user, deviceId) =>
    (await http(GA, "GET", `/api/v1/rooms/${room.id}/e2ee?device_id=${encodeURIComponent(deviceId)}`, { token: user.access_token })).body;
  const wrapsOf = (deviceId, epoch) =>
    Number(fleet.psql(`SELECT count(*) FROM chat.e2ee_room_key_wraps WHERE room_id = '${room.id}' AND device_id = '${deviceId}' AND epoch = ${epoch}`));

  // Both pages open the room: A's creates the key, B's device gets it (B reads A's message).
  const pageA = await signedInPage(alice);
  await openRoom(pageA, `${GA}/?bot=${bot.public_id}`);
  const pageB = await signedInPage(bob);
  await openRoom(pageB, `${GB}/?bot=${bot.public_id}`);
  await pageA.fill(".room-input", "Before verification");
  await pageA.click(".room-send");
  await pageB.waitForFunction(() => [...document.querySelectorAll(".room-msg .text")].some((e) => e.textContent === "Before verification"),
    null, { timeout: 20000 });
  const aliceDevice = (await http(GA, "GET", "/api/v1/e2ee/devices", { token: alice.access_token })).body.devices[0];
  const bobOld = (await http(GA, "GET", "/api/v1/e2ee/devices", { token: bob.access_token })).body.devices[0];
  await until("C's and D's devices to get the epoch-1 key", () => wrapsOf(carolOld.id, 1) === 1 && wrapsOf(daveDevice.id, 1) === 1);

  // The same safety number on both sides, and the one node:crypto computes from the listed devices.
  const numberAB = await shownNumber(pageA, bob.id);
  const numberBA = await shownNumber(pageB, alice.id);
  assert.match(numberAB, /^\d{60}$/);
  assert.equal(numberAB, numberBA, "A and B see the same safety number");
  const listed = (await state(alice, aliceDevice.device_id)).devices;
  const keysOf = (user) => listed.filter((d) => d.user_id === user.id).map((d) => d.public_key);
  const [ha, hb] = [referenceHalf(alice.id, keysOf(alice)), referenceHalf(bob.id, keysOf(bob))];
  assert.equal(numberAB, ha <= hb ? ha + hb : hb + ha, "the page's number is Signal's scheme over the listed device keys");
  assert.notEqual(await shownNumber(pageA, carol.id), numberAB, "another member, another number");
  assert.equal(await trustOf(pageA, bob.id), "unverified");

  // A marks B (and D) verified.
  await pageA.click(`.e2ee-verify-member[data-user-id="${bob.id}"] .e2ee-mark-verified`);
  await pageA.waitForSelector(`.e2ee-verify-member[data-user-id="${bob.id}"][data-trust="verified"]`, { timeout: 10000 });
  await pageA.click(`.e2ee-verify-member[data-user-id="${dave.id}"] .e2ee-mark-verified`);
  await pageA.waitForSelector(`.e2ee-verify-member[data-user-id="${dave.id}"][data-trust="verified"]`, { timeout: 10000 });
  assert.equal(await pageA.textContent(".e2ee-verify-warning"), "");

  // B's page goes away (it would share the key with its own user's new device); a new device
  // appears on B's account (as a server could inject one), and one on C's (never verified).
  await pageB.context().close();
  const bobNew = await registerDevice(GA, bob);
  const carolNew = await registerDevice(GA, carol);

  // A's page opens the room again (IndexedDB keeps its device and its verifications): its sweep
  // wraps the current key for devices without one — C's new device, not B's.
  await openRoom(pageA, `${GA}/?bot=${bot.public_id}`);
  await until("C's new device to get the epoch-1 key", () => wrapsOf(carolNew.id, 1) === 1);
  await pageA.waitForFunction(() => document.querySelector(".e2ee-verify-warning")?.textContent !== "", null, { timeout: 10000 });
  assert.equal(await pageA.textContent(".e2ee-verify-warning"), "bob_v's keys changed — verify again to let them read new messages");
  assert.equal(wrapsOf(bobNew.id, 1), 0, "no epoch-1 wrap for the device added after B was verified");
  assert.deepEqual((await state(bob, bobNew.id)).my_keys, [], "REST: B's new device has no key");
  const numberAfter = await shownNumber(pageA, bob.id);
  assert.notEqual(numberAfter, numberAB, "B's new device changed the safety number");
  assert.equal(await trustOf(pageA, bob.id), "changed");
  assert.equal(await trustOf(pageA, carol.id), "unverified");
  assert.equal(await trustOf(pageA, dave.id), "verified");
  await pageA.locator(".e2ee-verify-panel").scrollIntoViewIfNeeded();
  await shootAndCheck(pageA, "e2ee-verify");
  const docsImg = path.join(repoRoot, "docs/img/e2ee-verify.png");
  if (!existsSync(docsImg) || process.env.UPDATE_DOCS_IMG === "1") {
    mkdirSync(path.dirname(docsImg), { recursive: true });
    writeFileSync(docsImg, await pageA.locator(".rooms").screenshot());
  }

  // D leaves: the epoch moves on and A's page (the only one open) makes the epoch-2 key, wrapped
  // for A, B's old device and both of C's — not for B's new device.
  assert.equal((await http(GA, "POST", `/api/v1/rooms/${room.id}/leave`, { token: dave.access_token })).status, 200);
  await until("A's page to create the epoch-2 key", async () => {
    const s = await state(alice, aliceDevice.device_id);
    return s.key_epoch === 2 && s.key_id !== null;
  });
  await until("the epoch-2 wraps", () => wrapsOf(carolNew.id, 2) === 1);
  for (const [who, id] of [["A", aliceDevice.device_id], ["B's old device", bobOld.device_id], ["C's old device", carolOld.id], ["C's new device", carolNew.id]]) {
    assert.equal(wrapsOf(id, 2), 1, `${who} has the epoch-2 key`);
  }
  assert.equal(wrapsOf(bobNew.id, 2), 0, "no epoch-2 wrap for B's new device");
  assert.equal(wrapsOf(daveDevice.id, 2), 0, "none for the departed member");
  const bobState = await state(bob, bobNew.id);
  assert.equal(bobState.devices.find((d) => d.device_id === bobNew.id).has_key, false);

  // A verifies B again (after comparing the new number): B's new device gets the current key.
  await pageA.click(`.e2ee-verify-member[data-user-id="${bob.id}"] .e2ee-mark-verified`);
  await pageA.waitForSelector(`.e2ee-verify-member[data-user-id="${bob.id}"][data-trust="verified"]`, { timeout: 10000 });
  await until("B's new device to get the epoch-2 key after re-verification", () => wrapsOf(bobNew.id, 2) === 1);
  await pageA.waitForFunction(() => document.querySelector(".e2ee-verify-warning")?.textContent === "", null, { timeout: 10000 });
});
