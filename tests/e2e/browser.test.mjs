// The chat page in headless Debian Chromium against the real fleet: a visitor opens the demo
// widget page, asks a question, and sees the bot's answer; a screenshot is kept for review.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { http, repoRoot, signJwt, startFleet } from "./harness.mjs";

let fleet;
let browser;
const state = {};

before(async () => {
  fleet = await startFleet();
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

after(async () => {
  await browser?.close();
  fleet?.stop();
});

test("a visitor asks the demo bot on the chat page and reads the answer", async () => {
  const [A] = fleet.gateways;
  const owner = { email: "web@shop.example", username: "web_owner", password: "web-pass-2026" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
  const token = (await http(A, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  const bot = (await http(A, "POST", "/api/v1/bots", {
    token, body: { name: "Mozilla Help", language: "en", greeting: "Hi! Ask me about Firefox Relay." },
  })).body;
  const docs = readFileSync(path.join(repoRoot, "deploy/seed/mozilla-faq/docs.en.jsonl"), "utf8")
    .split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((d) => d.id.startsWith("relay"));
  for (const d of docs) {
    const res = await http(A, "POST", `/api/v1/bots/${bot.id}/knowledge`, { token, body: { title: d.title, format: "text", body: d.text } });
    assert.equal(res.status, 201);
  }

  const page = await browser.newPage({ viewport: { width: 520, height: 760 } });
  await page.goto(`${A}/?bot=${bot.public_id}`);
  await page.waitForSelector("#send:not([disabled])", { timeout: 15000 });
  await page.waitForSelector(".msg-bot", { timeout: 15000 });
  assert.equal(await page.textContent("#bot-name"), "Mozilla Help");
  await page.fill("#text", "Can I reply to emails sent to my mask?");
  await page.click("#send");
  await page.waitForFunction(() => document.querySelectorAll(".msg-bot:not(.draft)").length >= 2, null, { timeout: 20000 });
  const texts = await page.$$eval(".msg .text", (els) => els.map((e) => e.textContent));
  assert.equal(texts.filter((t) => t === "Can I reply to emails sent to my mask?").length, 1, "the question shows once");
  const answer = texts.at(-1);
  assert.ok(docs.some((d) => answer.includes(d.title)), `answer names a source: ${answer}`);
  await page.screenshot({ path: path.join(repoRoot, "build", "chat-page.png") });
  state.publicId = bot.public_id;
});

test("a returning visitor whose saved token expired gets a new session, not endless retries", async () => {
  const [, B] = fleet.gateways;
  const page = await browser.newPage({ viewport: { width: 520, height: 760 } });
  await page.goto(`${B}/?bot=${state.publicId}`);
  await page.waitForSelector("#send:not([disabled])", { timeout: 15000 });
  const now = Math.floor(Date.now() / 1000);
  const expired = signJwt({ iss: "botfactory", sub: "v_stale", typ: "visitor", iat: now - 7200, exp: now - 3600 });
  const stale = {
    session: {
      token: expired, conversation_id: "stale-conversation", visitor: { id: "v_stale", name: "Guest 1" },
      bot: { name: "Mozilla Help", language: "en", greeting: "" },
    },
    lastSeq: 3,
  };
  await page.evaluate(([key, value]) => localStorage.setItem(key, value),
    [`botfactory.session.${state.publicId}`, JSON.stringify(stale)]);
  await page.reload();
  await page.waitForSelector("#send:not([disabled])", { timeout: 15000 });
  const saved = JSON.parse(await page.evaluate((key) => localStorage.getItem(key), `botfactory.session.${state.publicId}`));
  assert.notEqual(saved.session.conversation_id, "stale-conversation");
  assert.notEqual(saved.session.token, expired);
  await page.waitForSelector(".msg-bot", { timeout: 15000 });  // the new conversation's greeting
  await page.close();
});

test("the chat page renews its token in-band before it expires, keeping the conversation", async () => {
  const [A] = fleet.gateways;
  const created = await http(A, "POST", `/api/v1/widget/${state.publicId}/sessions`, { body: { name: "Renewer" } });
  assert.equal(created.status, 201);
  // The same visitor and conversation, but a token that expires in 62 s: the page renews a
  // minute before exp, so at once.
  const claims = JSON.parse(Buffer.from(created.body.token.split(".")[1], "base64url").toString());
  const now = Math.floor(Date.now() / 1000);
  const shortLived = signJwt({ ...claims, iat: now - 3000, exp: now + 62 });
  const saved = {
    session: { ...created.body, token: shortLived },
    lastSeq: 0,
  };
  const page = await browser.newPage({ viewport: { width: 520, height: 760 } });
  await page.goto(`${A}/`);  // same origin, so the page's localStorage can be filled
  await page.evaluate(([key, value]) => localStorage.setItem(key, value),
    [`botfactory.session.${state.publicId}`, JSON.stringify(saved)]);
  await page.goto(`${A}/?bot=${state.publicId}`);
  await page.waitForSelector("#send:not([disabled])", { timeout: 15000 });
  // auth.ok on the open socket carries the new expiry (a day ahead, VISITOR_TOKEN_TTL_S).
  await page.waitForFunction((limit) => Number(document.querySelector("#status")?.dataset.tokenExpires ?? 0) > limit,
    now + 3600, { timeout: 15000 });
  const stored = JSON.parse(await page.evaluate((key) => localStorage.getItem(key), `botfactory.session.${state.publicId}`));
  assert.equal(stored.session.conversation_id, created.body.conversation_id, "same conversation");
  assert.notEqual(stored.session.token, shortLived);
  assert.equal(await page.textContent("#status"), "Online");
  await page.close();
});
