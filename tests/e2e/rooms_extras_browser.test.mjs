// Issue 11 "Done when" on the chat page's rooms panel, in headless Chromium against the real fleet
// (two replicas): two widget visitors (two browser contexts, one per replica) in a PUBLIC room
// see each other online and typing; one edits its message within the window and the other sees
// "edited"; one sends a PNG and the other sees the picture; one calls the other (room member ↔
// member calls, docs/protocol.md "Calls"), the other's page rings, accepts, and both connect.
// Screenshots in build/screenshots/rooms-extras-*.png.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { launchChromium, SHOTS } from "./browser_support.mjs";
import { gradientPng, http, startFleet } from "./harness.mjs";

let fleet;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fleet = await startFleet({ env: { ATTACHMENTS_DIR: mkdtempSync(path.join(tmpdir(), "bf-e2e-room-files-")) } });
  browser = await launchChromium({ fakeMedia: true });
});

after(async () => {
  await browser?.close();
  fleet?.stop();
});

const texts = (page, selector) => page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent));

test("two visitors in a public room: online, typing, edit, picture and a call", async () => {
  const [A, B] = fleet.gateways;
  const owner = { email: "extras@rooms.example", username: "extras_host", password: "extras-pass-2026" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
  const token = (await http(A, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  const bot = (await http(A, "POST", "/api/v1/bots", { token, body: { name: "Helper", language: "en" } })).body;
  const room = (await http(A, "POST", "/api/v1/rooms", { token, body: { name: "Lobby", visibility: "public" } })).body;
  assert.ok(room.id);

  const open = async (base) => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    page.on("pageerror", (error) => console.log(`page error (${base}): ${error.message}`));
    page.on("console", (m) => m.type() === "warning" && console.log(`page warning (${base}): ${m.text()}`));
    await page.goto(`${base}/?bot=${bot.public_id}`);
    await page.waitForSelector(".room-item .room-join", { timeout: 15000 });
    await page.click(".room-item .room-join");
    await page.waitForSelector(".room-view:not([hidden])", { timeout: 15000 });
    return page;
  };
  const ann = await open(A);
  const bob = await open(B);

  // Online: each page lists both visitors (the owner has no socket in the room).
  for (const page of [ann, bob]) {
    await page.waitForFunction(() => /\(2\)/.test(document.querySelector(".room-online")?.textContent ?? ""), null, { timeout: 15000 });
  }
  // The call button rings the other online member: enabled on both pages.
  await ann.waitForSelector(".room-call .call-button:not([disabled])", { timeout: 10000 });
  await bob.waitForSelector(".room-call .call-button:not([disabled])", { timeout: 10000 });

  // Typing: Ann types, Bob sees it.
  await ann.fill(".room-input", "Helo everyone");
  await bob.waitForFunction(() => (document.querySelector(".room-typing")?.textContent ?? "") !== "", null, { timeout: 10000 });
  await ann.click(".room-send");
  await bob.waitForFunction(() => [...document.querySelectorAll(".room-msg .text")].some((e) => e.textContent === "Helo everyone"), null, { timeout: 10000 });

  // Edit within the window: only the author has the controls; Bob sees the new text and "edited".
  const mine = ".room-msg:has(.edit-edit)";
  await ann.waitForSelector(`${mine} .edit-edit`, { timeout: 10000 });
  assert.equal(await bob.$(".room-msg .edit-edit"), null, "no edit controls on someone else's message");
  await ann.click(`${mine} .edit-edit`);
  await ann.fill(`${mine} form.edit-form textarea`, "Hello everyone");
  await ann.click(`${mine} form.edit-form button[type=submit]`);
  await bob.waitForFunction(() => [...document.querySelectorAll(".room-msg")].some((m) =>
    m.querySelector(".text")?.textContent === "Hello everyone" && m.querySelector(".edited")), null, { timeout: 10000 });
  await ann.waitForFunction(() => [...document.querySelectorAll(".room-msg")].some((m) =>
    m.querySelector(".text")?.textContent === "Hello everyone" && m.querySelector(".edited")), null, { timeout: 10000 });
  assert.ok((await texts(bob, ".room-msg .edited")).includes("edited"));

  // A picture: Bob attaches a PNG; Ann sees its thumbnail (fetched with the token into a blob: URL).
  const uploaded = bob.waitForResponse((r) => r.url().includes(`/conversations/${room.id}/attachments`), { timeout: 15000 });
  await bob.setInputFiles(".room-file", { name: "sunset.png", mimeType: "image/png", buffer: gradientPng(640, 400) });
  const response = await uploaded;
  assert.equal(response.status(), 201, await response.text());
  const attachment = (await response.json()).attachment;
  // A visitor of the same bot who did not join the room neither sends files to it nor reads its files.
  const outsider = (await http(A, "POST", `/api/v1/widget/${bot.public_id}/sessions`, { body: {} })).body.token;
  const form = new FormData();
  form.append("file", new Blob([gradientPng(8, 8)], { type: "image/png" }), "x.png");
  const refused = await http(A, "POST", `/api/v1/conversations/${room.id}/attachments`, { token: outsider, body: form });
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.equal((await http(A, "GET", `/api/v1/attachments/${attachment.id}/thumbnail`, { token: outsider })).status, 404);
  for (const page of [ann, bob]) {
    await page.waitForFunction(() => {
      const img = document.querySelector(".room-msg .attachment img");
      return img && img.src.startsWith("blob:") && img.complete && img.naturalWidth > 0;
    }, null, { timeout: 15000 }).catch(async (error) => {
      await page.screenshot({ path: path.join(SHOTS, "rooms-extras-failed.png") });
      throw new Error(`${error.message}; status: ${await page.textContent(".room-extras-status")}; ` +
        `messages: ${(await texts(page, ".room-messages li")).join(" | ")}`);
    });
  }

  // A call: Bob calls Ann (the only other online member); Ann's page rings, she accepts.
  await bob.click(".room-call .call-button");
  await ann.waitForSelector(".room-call .call-banner .call-accept", { timeout: 15000 });
  assert.match(await ann.textContent(".room-call .call-banner"), /is calling you/);
  await ann.screenshot({ path: path.join(SHOTS, "rooms-extras-ringing.png") });
  await ann.click(".room-call .call-accept");
  for (const page of [ann, bob]) {
    await page.waitForFunction(() => document.querySelector(".room-call")?.dataset.callState === "connected", null, { timeout: 20000 });
    assert.equal(await page.textContent(".room-call .call-banner"), "In call");
  }
  await bob.screenshot({ path: path.join(SHOTS, "rooms-extras-call.png") });
  await bob.click(".room-call .call-button");  // hang up
  await ann.waitForFunction(() => document.querySelector(".room-call .call-banner")?.textContent === "Call ended", null, { timeout: 15000 });
});
