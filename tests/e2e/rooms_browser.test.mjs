// The chat page's rooms panel in headless Chromium against the real fleet (two replicas): a
// widget visitor on replica B sees the tenant's public room, joins it, sees the owner (on
// replica A) online, reads the owner's message, shows the owner typing and sends a message the
// owner receives. Screenshots in build/screenshots/rooms-panel-*.png, axe-checked.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchChromium, shootAndCheck } from "./browser_support.mjs";
import { ChatClient, http, startFleet } from "./harness.mjs";

let fleet;
let browser;
let owner;

before(async () => {
  fleet = await startFleet();
  browser = await launchChromium();
});

after(async () => {
  owner?.close();
  await browser?.close();
  fleet?.stop();
});

test("a visitor joins a public room on the chat page, sees who is online and typing, and chats", async () => {
  const [A, B] = fleet.gateways;
  const user = { email: "rooms@web.example", username: "room_host", password: "web-pass-2026" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: user })).status, 201);
  const token = (await http(A, "POST", "/api/v1/auth/login", { body: user })).body.access_token;
  const bot = (await http(A, "POST", "/api/v1/bots", { token, body: { name: "Helper", language: "en" } })).body;
  const room = (await http(A, "POST", "/api/v1/rooms", { token, body: { name: "Community", visibility: "public" } })).body;
  owner = new ChatClient(A, token);
  await owner.opened;
  owner.send({ type: "room.join", room_id: room.id });
  await owner.waitFor((f) => f.type === "room.joined");

  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  // The room.presence reads the page sends (it applies presence events instead of re-reading).
  let presenceReads = 0;
  page.on("websocket", (ws) => ws.on("framesent", (event) => {
    if (/"type":"room\.presence"/.test(String(event.payload))) presenceReads += 1;
  }));
  await page.goto(`${B}/?bot=${bot.public_id}`);
  await page.waitForSelector(".room-item .room-join", { timeout: 15000 });
  assert.equal(await page.textContent(".room-item-name"), "Community");
  await page.click(".room-item .room-join");
  await page.waitForFunction(() => /room_host/.test(document.querySelector(".room-online")?.textContent ?? ""), null, { timeout: 15000 });
  // The visitor's own member.joined event is in the room's stream.
  await page.waitForSelector(".room-event", { timeout: 10000 });
  const visitorJoined = await owner.waitFor((f) => f.type === "message.new" && f.message.event === "member.joined" && f.message.sender.kind === "visitor");

  owner.send({ type: "message.send", conversation_id: room.id, client_id: "w1", text: "Welcome to the room!" });
  await page.waitForFunction(() => [...document.querySelectorAll(".room-msg .text")].some((e) => e.textContent === "Welcome to the room!"), null, { timeout: 10000 });
  owner.send({ type: "typing", conversation_id: room.id, state: "start" });
  await page.waitForFunction(() => /room_host/.test(document.querySelector(".room-typing")?.textContent ?? ""), null, { timeout: 10000 });
  await shootAndCheck(page, "rooms-panel");

  await page.fill(".room-input", "Hello from the chat page");
  const typingFromPage = owner.waitFor((f) => f.type === "typing" && f.state === "start" && f.sender.kind === "visitor", 10000, "the visitor typing");
  await typingFromPage;
  await page.click(".room-send");
  const got = await owner.waitFor((f) => f.type === "message.new" && f.message.text === "Hello from the chat page", 10000, "the visitor's message on A");
  assert.equal(got.message.sender.id, visitorJoined.message.sender.id);
  // The owner never sent a stop: its typing expires on the page by itself (expires_in_ms).
  await page.waitForFunction(() => !/room_host/.test(document.querySelector(".room-typing")?.textContent ?? ""), null, { timeout: 10000 });

  // Another member (a second visitor) comes and goes three times (on replica A): the page's online list follows the
  // six presence events without a room.presence read per event (at most the 5 s periodic ones).
  // A second widget visitor of the same bot (rooms are the tenant's: a new user would be another tenant).
  const guestSession = (await http(A, "POST", `/api/v1/widget/${bot.public_id}/sessions`, { body: {} })).body;
  const guestToken = guestSession.token;
  assert.equal((await http(A, "POST", `/api/v1/rooms/${room.id}/join`, { token: guestToken })).status, 200);
  const guest = new ChatClient(A, guestToken);
  await guest.opened;
  const online = () => page.textContent(".room-online");
  const readsBefore = presenceReads;
  const started = Date.now();
  try {
    for (let i = 0; i < 3; ++i) {
      guest.send({ type: "room.join", room_id: room.id });
      await guest.waitFor((f) => f.type === "room.joined", 10000, "the guest's room.joined");
      await page.waitForFunction(() => /\(3\)/.test(document.querySelector(".room-online")?.textContent ?? ""), null, { timeout: 10000 });
      guest.send({ type: "conversation.leave", conversation_id: room.id });
      await guest.waitFor((f) => f.type === "conversation.left", 10000, "the guest's conversation.left");
      await page.waitForFunction(() => /\(2\)/.test(document.querySelector(".room-online")?.textContent ?? ""), null, { timeout: 10000 });
      guest.frames.length = 0;
    }
  } finally {
    guest.close();
  }
  const periodic = Math.floor((Date.now() - started) / 5000) + 1;
  assert.ok(presenceReads - readsBefore <= periodic,
    `${presenceReads - readsBefore} room.presence reads for 6 presence events in ${Date.now() - started} ms`);
  assert.match(await online(), /room_host/);
});
