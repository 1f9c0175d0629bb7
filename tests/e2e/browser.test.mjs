// The chat page in headless Debian Chromium against the real fleet: a visitor opens the demo
// widget page, asks a question, and sees the bot's answer; a bot on a (fake, slow)
// OpenAI-compatible model streams its reply, which grows on the page and ends with its citations.
// Screenshots are kept in build/ for review.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { launchChromium, recordStream, streamedReply } from "./browser_support.mjs";
import { passageCount, startFakeOpenAi } from "./fake_openai.mjs";
import { addRelayKnowledge, http, repoRoot, signJwt, startFleet } from "./harness.mjs";

let fleet;
let browser;
let model;
const state = {};

/** The fake model's answer: cites passage 1 (and 2 when the prompt has it) and carries markup. */
function modelReply(body) {
  const two = passageCount(body) >= 2;
  return ["Yes. ", "Replies ", "to emails ", "forwarded ", "through a mask ", "are a ", "Premium feature [1].",
    ...(two ? [" Open the email ", "and press ", "Reply [2]."] : []),
    " Shown as text: ", "<img src=x onerror=\"window.__pwned=1\">"];
}

before(async () => {
  model = await startFakeOpenAi({ reply: modelReply, gapMs: 150, firstMs: 800 });
  // The platform key and endpoint of the `openai` provider (ai-proxy; bot-registry decides
  // which answerer a bot gets), as `make run` passes them from the environment.
  process.env.OPENAI_BASE_URL = model.url;
  process.env.OPENAI_API_KEY = "sk-e2e-fake-0000";
  fleet = await startFleet();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  fleet?.stop();
  await model?.close();
});

test("a visitor asks the demo bot on the chat page and reads the answer", async () => {
  const [A] = fleet.gateways;
  const owner = { email: "web@shop.example", username: "web_owner", password: "web-pass-2026" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
  const token = (await http(A, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  const bot = (await http(A, "POST", "/api/v1/bots", {
    token, body: { name: "Mozilla Help", language: "en", greeting: "Hi! Ask me about Firefox Relay." },
  })).body;
  const docs = await addRelayKnowledge(A, token, bot.id);

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
  // The quote's source (message.sources) is listed under it by document title, and the
  // answerer's own "Source: “…”" line becomes a [1] link to it.
  const reply = ".msg-bot:not(.draft):last-of-type";
  const sources = await page.$$eval(`${reply} .sources li`, (els) => els.map((e) => e.textContent));
  assert.equal(sources.length, 1, "one source listed under the quoted answer");
  assert.ok(docs.some((d) => d.title === sources[0]), `the source is a document: ${sources[0]}`);
  assert.equal(await page.textContent(`${reply} .sources-title`), "Sources");
  assert.ok(!answer.includes("Source:"), `the source line is not repeated in the text: ${answer}`);
  assert.equal(await page.$$eval(`${reply} .text sup.cite > a`, (els) => els.map((a) => a.textContent).join()), "1");
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

test("a model's reply grows on the page after a typing indicator and ends with its sources", async () => {
  const [A] = fleet.gateways;
  const owner = { email: "stream@shop.example", username: "stream_owner", password: "stream-pass-2026" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
  const token = (await http(A, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  const bot = (await http(A, "POST", "/api/v1/bots", {
    token, body: { name: "Relay Model", language: "en", greeting: "Hi! Ask me about Firefox Relay.", provider: { provider: "openai" } },
  })).body;
  assert.equal(bot.provider.provider, "openai");
  const docs = await addRelayKnowledge(A, token, bot.id);

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${A}/?bot=${bot.public_id}`);
  await page.waitForSelector("#send:not([disabled])", { timeout: 15000 });
  await page.waitForSelector(".msg-bot", { timeout: 15000 });
  // Record, as the page changes: whether the typing indicator came first, and every text the
  // streamed bubble showed.
  await recordStream(page, { log: "#messages" });
  await page.fill("#text", "Can I reply to emails sent to my mask?");
  await page.click("#send");
  await page.waitForSelector("#messages > li.typing", { timeout: 10000 });
  await page.screenshot({ path: path.join(repoRoot, "build", "chat-typing.png") });
  await page.waitForFunction(() => window.__stream.texts.length >= 3, null, { timeout: 20000 });
  await page.screenshot({ path: path.join(repoRoot, "build", "chat-streaming.png") });
  await page.waitForSelector(".msg-bot:not(.draft) .sources li", { timeout: 20000 });

  const seen = await streamedReply(page, { log: "#messages" });
  assert.ok(seen.typingFirst, "the typing indicator shows before the first delta");
  assert.ok(seen.texts.length >= 3, `the reply grew in steps: ${JSON.stringify(seen.texts)}`);
  for (let i = 1; i < seen.texts.length; i++) {
    assert.ok(seen.texts[i].startsWith(seen.texts[i - 1]) && seen.texts[i].length > seen.texts[i - 1].length,
      `each step extends the last: ${JSON.stringify(seen.texts)}`);
  }
  assert.ok(seen.sameBubble, "the final message replaces the streamed text in the same bubble");
  assert.equal(seen.live, 0, "no streamed bubble or typing indicator is left behind");
  const titles = new Set(docs.map((d) => d.title));
  assert.ok(seen.sources.length >= 1 && seen.sources.every((t) => titles.has(t)), `sources are document titles: ${seen.sources}`);
  assert.equal(seen.heading, "Sources");
  assert.ok(seen.links.length >= 1, "the [n] markers are links");
  for (const link of seen.links) assert.equal(link.target, seen.sources[Number(link.n) - 1], "[n] links to the n-th source");
  assert.ok(!/\[\d\]/.test(seen.text), `no raw marker is left: ${seen.text}`);
  assert.ok(seen.text.includes('<img src=x onerror="window.__pwned=1">'), "markup in a reply is shown as text");
  assert.equal(seen.images, 0);
  assert.equal(seen.pwned, null);

  await page.click(".msg-bot:not(.draft) sup.cite > a");
  await page.waitForSelector(".sources li.flash", { timeout: 5000 });
  await page.screenshot({ path: path.join(repoRoot, "build", "chat-citations-1280.png") });
  await page.setViewportSize({ width: 375, height: 740 });
  await page.evaluate(() => { const log = document.querySelector("#messages"); log.scrollTop = log.scrollHeight; });
  await page.screenshot({ path: path.join(repoRoot, "build", "chat-citations-375.png") });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 375 px (${overflow} px too wide)`);
  assert.ok(model.requests.length >= 1, "the reply came from the model");
  // Reopened, the conversation is replayed from storage with the same citations.
  await page.reload();
  await page.waitForSelector(".msg-bot .sources li", { timeout: 15000 });
  const replayed = await page.$$eval(".msg-bot .sources li", (els) => els.map((e) => e.textContent));
  assert.deepEqual(replayed, seen.sources);
  assert.equal(await page.$$eval(".msg-bot .text sup.cite", (els) => els.length), seen.links.length);
  await page.close();
});
