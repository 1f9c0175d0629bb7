// The embeddable widget (web/widget → /widget.js, docs/widget.md) in headless Debian Chromium
// against the real fleet, on host pages served by a separate local HTTP server (another origin,
// listed in the bot's allowed_origins) whose CSS is hostile: the widget keeps its own styles
// (shadow root), a visitor asks and reads a streamed reply with its sources, asks for a person,
// sees the takeover, the operator's typing and reply, reloads and gets the same conversation back
// (join since_seq), sees the hand-back; uses it at
// 375 px (full-screen panel) and with the keyboard only; on a site the bot does not allow, the
// widget says so. axe-core finds no serious or critical violation in the widget. Screenshots go to
// build/screenshots/widget-*.png.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import { launchChromium, recordStream, SHOTS, streamedReply } from "./browser_support.mjs";
import { passageCount, startFakeOpenAi } from "./fake_openai.mjs";
import { ChatClient, http, repoRoot, signJwt, startFleet } from "./harness.mjs";

const AXE = path.join(repoRoot, "web/dashboard/node_modules/axe-core/axe.min.js");
const QUESTION = "Can I reply to emails sent to my mask?";
const TIMEZONE = "Asia/Tashkent";  // UTC+5: HH:MM must be local time, not UTC
let fleet;
let browser;
let model;
let gateway;
let allowedSite;
let otherSite;
const state = {};

/** The fake model's answer, streamed in pieces; cites passage 1. */
function modelReply(body) {
  const two = passageCount(body) >= 2;
  return ["Yes. ", "Replies ", "to emails ", "forwarded ", "through a mask ", "are a ", "Premium feature [1].",
    ...(two ? [" Open the email ", "and press ", "Reply [2]."] : [])];
}

/**
 * A customer's web site on its own loopback port: every path answers a page with hostile CSS
 * and the embed snippet for `publicId()` from the gateway. Resolves to {origin, close()}.
 */
async function startSite(publicId) {
  const server = createServer((req, res) => {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>
<style>
  * { color: red !important; font-size: 40px; font-family: "Times New Roman", serif !important; letter-spacing: 3px; }
  button { background: lime !important; width: 300px !important; border: 9px solid black !important; }
  div { padding: 30px !important; display: block; }
  ol, li, p { margin: 40px !important; }
  textarea { height: 300px !important; }
</style></head>
<body><h1>Welcome to the shop</h1><p>Hostile styles everywhere.</p>
<script src="${gateway}/widget.js" data-bot="${publicId()}" async></script>
</body></html>`;
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  model = await startFakeOpenAi({ reply: modelReply, gapMs: 150, firstMs: 600 });
  process.env.OPENAI_BASE_URL = model.url;
  process.env.OPENAI_API_KEY = "sk-e2e-fake-0000";
  fleet = await startFleet();
  [gateway] = fleet.gateways;
  allowedSite = await startSite(() => state.publicId);
  otherSite = await startSite(() => state.publicId);
  browser = await launchChromium();

  const owner = { email: "widget@shop.example", username: "widget_owner", password: "widget-pass-2026" };
  assert.equal((await http(gateway, "POST", "/api/v1/users", { body: owner })).status, 201);
  state.token = (await http(gateway, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  const created = await http(gateway, "POST", "/api/v1/bots", {
    token: state.token,
    body: { name: "Relay Help", language: "en", greeting: "Hi! Ask me about Firefox Relay.",
            provider: { provider: "openai" }, allowed_origins: [allowedSite.origin] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  state.bot = created.body;
  state.publicId = created.body.public_id;
  const docs = readFileSync(path.join(repoRoot, "deploy/seed/mozilla-faq/docs.en.jsonl"), "utf8")
    .split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((d) => d.id.startsWith("relay"));
  for (const d of docs) {
    const res = await http(gateway, "POST", `/api/v1/bots/${state.bot.id}/knowledge`,
      { token: state.token, body: { title: d.title, format: "text", body: d.text } });
    assert.equal(res.status, 201);
  }
  state.titles = docs.map((d) => d.title);
});

after(async () => {
  await browser?.close();
  fleet?.stop();
  await model?.close();
  await allowedSite?.close();
  await otherSite?.close();
});

/** A page of its own browser context (own localStorage) with the viewer in Tashkent. */
async function newPage(width, height = width < 500 ? 812 : 860) {
  const context = await browser.newContext({ viewport: { width, height }, locale: "en-US", timezoneId: TIMEZONE });
  const page = await context.newPage();
  page.on("pageerror", (e) => { state.pageErrors = [...(state.pageErrors ?? []), String(e)]; });
  return { context, page };
}

/** Playwright's CSS selectors pierce open shadow roots: `w(".panel")` is inside the widget. */
const w = (selector) => `[data-botfactory-widget] >> ${selector}`;

/** axe-core's serious and critical violations inside the widget (its host element and shadow tree). */
async function axeViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => window.axe.run({ include: [["[data-botfactory-widget]"]] }, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    rules: { region: { enabled: false } },  // the host page's landmarks are not the widget's
  }));
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(", ")}`);
}

/** Computed styles of elements inside the widget's shadow root. */
function widgetStyles(page) {
  return page.evaluate(() => {
    const root = document.querySelector("[data-botfactory-widget]").shadowRoot;
    const pick = (sel, ...props) => {
      const el = root.querySelector(sel);
      const cs = getComputedStyle(el);
      return Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
    };
    return {
      launcher: pick(".launcher", "width", "background-color", "border-top-width"),
      heading: pick(".head h2", "color", "font-size", "font-family", "letter-spacing"),
      text: pick(".msg-bot .text", "color", "font-size", "margin-top"),
      input: pick(".composer textarea", "height", "color"),
      hostPage: getComputedStyle(document.querySelector("h1")).color,
    };
  });
}

/** The widget's chat log, inside its shadow root (recordStream(), streamedReply()). */
const WIDGET_LOG = { host: "[data-botfactory-widget]", log: ".log" };

/** The conversation.join frames the page sends. */
function recordJoins(page) {
  const joins = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => {
    const frame = JSON.parse(String(f.payload));
    if (frame.type === "conversation.join") joins.push(frame);
  }));
  return joins;
}

test("the gateway serves widget.js as a script and the preview page", async () => {
  const js = await fetch(`${gateway}/widget.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get("content-type"), /javascript/);
  const body = await js.text();
  assert.ok(body.length < 64 * 1024, `widget.js stays small: ${body.length} bytes`);
  assert.ok(!/^\s*(import|export)\s/m.test(body), "a classic script, not a module");
  const preview = await fetch(`${gateway}/widget-preview.html`);
  assert.equal(preview.status, 200);
  assert.match(await preview.text(), /widget-preview\.js/);
});

test("on a hostile page the widget keeps its styles; a visitor reads a streamed reply with sources", async () => {
  const { context, page } = await newPage(1280);
  state.joins = recordJoins(page);
  await page.goto(`${allowedSite.origin}/pricing`);
  await page.waitForSelector(w("button.launcher"));
  assert.equal(await page.getAttribute(w("button.launcher"), "aria-expanded"), "false");
  await page.click(w("button.launcher"));
  await page.waitForSelector(w(".msg-bot"), { timeout: 15000 });  // the greeting
  await page.waitForSelector(w("form.composer button:not([disabled])"));
  assert.equal(await page.textContent(w(".head h2")), "Relay Help");
  assert.equal(await page.textContent(w(".msg-bot .text")), "Hi! Ask me about Firefox Relay.");
  assert.equal(await page.textContent(w(".state")), "The bot answers");

  const styles = await widgetStyles(page);
  assert.equal(styles.hostPage, "rgb(255, 0, 0)", "the host page's CSS is really hostile");
  assert.equal(styles.launcher.width, "58px");
  assert.equal(styles.launcher["border-top-width"], "0px");
  assert.notEqual(styles.launcher["background-color"], "rgb(0, 255, 0)");
  assert.equal(styles.heading.color, "rgb(255, 255, 255)");
  assert.equal(styles.heading["font-size"], "16px");
  assert.equal(styles.heading["letter-spacing"], "normal");
  assert.doesNotMatch(styles.heading["font-family"], /Times/);
  assert.equal(styles.text.color, "rgb(29, 35, 48)");
  assert.equal(styles.text["font-size"], "14px");
  assert.equal(styles.text["margin-top"], "0px");
  assert.equal(styles.input.height, "42px");

  await recordStream(page, WIDGET_LOG);
  await page.fill(w(".composer textarea"), QUESTION);
  await page.press(w(".composer textarea"), "Enter");
  await page.waitForSelector(w("li.typing"), { timeout: 10000 });
  await page.waitForFunction(() => window.__stream.texts.length >= 3, null, { timeout: 20000 });
  await page.screenshot({ path: path.join(SHOTS, "widget-streaming-1280.png") });
  await page.waitForSelector(w(".msg-bot:not(.draft) .sources li"), { timeout: 20000 });
  const seen = await streamedReply(page, WIDGET_LOG);
  assert.ok(seen.typingFirst, "the typing indicator came before the first delta");
  assert.ok(seen.texts.length >= 3, `the reply grew in steps: ${JSON.stringify(seen.texts)}`);
  assert.ok(seen.sameBubble, "the final reply replaced the streamed bubble");
  assert.equal(seen.live, 0, "no typing indicator or draft left");
  assert.equal(seen.visitor, 1, "the question shows once");
  assert.match(seen.text, /Premium feature/);
  assert.ok(seen.links.length >= 1, "citation markers are links");
  for (const link of seen.links) assert.equal(link.target, seen.sources[Number(link.n) - 1]);
  assert.ok(seen.sources.every((s) => state.titles.includes(s)), `sources are documents: ${seen.sources}`);
  assert.equal(seen.heading, "Sources");
  // HH:MM in the viewer's time zone (Tashkent, UTC+5), 24-hour clock.
  const hhmm = (iso) => new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: TIMEZONE })
    .format(new Date(iso));
  assert.equal(seen.times.length, 3);
  for (const t of seen.times) assert.equal(t.shown, hhmm(t.iso));
  await page.screenshot({ path: path.join(SHOTS, "widget-1280.png") });
  assert.deepEqual(await axeViolations(page), [], "axe-core in the open widget at 1280 px");

  // Talk to a person: the conversation waits for one, then an operator takes it over.
  await page.click(w("button.handoff"));
  await page.waitForSelector(w(".state >> text=Waiting for a person…"));
  assert.equal(await page.isVisible(w("button.handoff")), false, "asked once, the button goes away");
  const saved = JSON.parse(await page.evaluate(() => Object.entries(localStorage)
    .find(([k]) => k.startsWith("botfactory.widget."))[1]));
  state.conversationId = saved.session.conversation_id;
  state.lastSeq = saved.lastSeq;
  assert.equal(state.lastSeq, 3, "greeting, question, reply");
  const listed = (await http(gateway, "GET", `/api/v1/bots/${state.bot.id}/conversations`, { token: state.token })).body.conversations;
  assert.equal(listed.find((c) => c.id === state.conversationId)?.waiting_for_human, true);
  const takeover = await http(gateway, "POST", `/api/v1/conversations/${state.conversationId}/takeover`, { token: state.token });
  assert.equal(takeover.status, 200);
  await page.waitForSelector(w(".state >> text=A person is answering"), { timeout: 10000 });
  assert.equal(await page.getAttribute(w(".root"), "data-handler"), "human");

  // The operator types and replies on their own socket; the visitor sees both.
  const operator = new ChatClient(gateway, state.token);
  await operator.opened;
  operator.send({ type: "conversation.join", conversation_id: state.conversationId, since_seq: 3 });
  await operator.waitFor((f) => f.type === "conversation.joined");
  operator.send({ type: "typing", conversation_id: state.conversationId, state: "start" });
  await page.waitForSelector(w("li.typing.msg-operator >> text=widget_owner is typing…"), { timeout: 10000 });
  operator.send({ type: "message.send", conversation_id: state.conversationId, client_id: "op-1", text: "Hi, a person here. How can I help?" });
  await page.waitForSelector(w(".msg-operator:not(.typing) >> text=Hi, a person here. How can I help?"), { timeout: 10000 });
  assert.equal(await page.locator(w("li.typing")).count(), 0, "the operator's message ends their typing");
  assert.equal(await page.textContent(w(".msg-operator .who")), "widget_owner");
  await page.screenshot({ path: path.join(SHOTS, "widget-operator-1280.png") });
  operator.close();
  state.lastSeq = JSON.parse(await page.evaluate(() => Object.entries(localStorage)
    .find(([k]) => k.startsWith("botfactory.widget."))[1])).lastSeq;
  assert.equal(state.lastSeq, 4);

  // Reload: the same conversation comes back at once from storage, and the socket resumes
  // after the last seq instead of replaying everything.
  const before = await page.$$eval(w(".log > li.msg"), (els) => els.map((e) => e.querySelector(".text").textContent));
  state.joins.length = 0;
  await page.reload();
  await page.waitForSelector(w(".panel:not([hidden])"));  // it was open: it opens again
  await page.waitForSelector(w(".state >> text=A person is answering"), { timeout: 15000 });
  const afterReload = await page.$$eval(w(".log > li.msg"), (els) => els.map((e) => e.querySelector(".text").textContent));
  assert.deepEqual(afterReload, before, "the history is back");
  assert.deepEqual(state.joins.map((j) => [j.conversation_id, j.since_seq]), [[state.conversationId, state.lastSeq]],
    "joined the same conversation since the last seq");
  // Handed back: the bot answers again, and the visitor may ask for a person again.
  assert.equal((await http(gateway, "POST", `/api/v1/conversations/${state.conversationId}/handback`, { token: state.token })).status, 200);
  await page.waitForSelector(w(".state >> text=The bot answers"), { timeout: 10000 });
  assert.equal(await page.isVisible(w("button.handoff")), true);
  assert.deepEqual(state.pageErrors ?? [], [], "no uncaught errors in the page");
  await context.close();
});

test("at 375 px the panel fills the screen; keyboard only: open, type, Escape closes and returns focus", async () => {
  const { context, page } = await newPage(375);
  await page.goto(`${allowedSite.origin}/`);
  await page.waitForSelector(w("button.launcher"));
  // Tab from the top of the page reaches the launcher (the host page has no other focusables).
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className), "launcher");
  const ring = await page.evaluate(() => {
    const el = document.activeElement.shadowRoot.activeElement;
    const cs = getComputedStyle(el);
    return `${cs.outlineStyle} ${cs.outlineWidth}`;
  });
  assert.equal(ring, "solid 3px", "focus is visible");
  await page.keyboard.press("Enter");
  await page.waitForSelector(w(".msg-bot"), { timeout: 15000 });
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.tagName), "TEXTAREA");
  const box = await page.evaluate(() => {
    const r = document.querySelector("[data-botfactory-widget]").shadowRoot.querySelector(".panel").getBoundingClientRect();
    return [r.x, r.y, r.width, r.height];
  });
  assert.deepEqual(box, [0, 0, 375, 812], "full-screen panel");
  await page.waitForSelector(w("form.composer button:not([disabled])"));
  await page.keyboard.type("Hello from a phone");
  await page.keyboard.press("Enter");
  await page.waitForSelector(w(".msg-visitor:not(.sending)"));
  await page.screenshot({ path: path.join(SHOTS, "widget-375.png") });
  assert.deepEqual(await axeViolations(page), [], "axe-core in the open widget at 375 px");
  await page.keyboard.press("Escape");
  await page.waitForSelector(w(".panel[hidden]"), { state: "attached" });
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className), "launcher");
  assert.equal(await page.getAttribute(w("button.launcher"), "aria-expanded"), "false");
  assert.deepEqual(await axeViolations(page), [], "axe-core in the closed widget");
  await context.close();
});

test("on a site the bot does not allow, the widget says so and creates nothing", async () => {
  const before = (await http(gateway, "GET", `/api/v1/bots/${state.bot.id}/conversations`, { token: state.token })).body.conversations.length;
  const { context, page } = await newPage(1280);
  const refused = page.waitForResponse((r) => r.url().endsWith("/sessions") && r.request().method() === "POST");
  await page.goto(`${otherSite.origin}/`);
  await page.click(w("button.launcher"));
  assert.equal((await refused).status(), 403);
  const alert = await page.waitForSelector(w("[role=alert]:not([hidden])"), { timeout: 10000 });
  assert.equal(await alert.textContent(), "This chat is not enabled on this website.");
  assert.equal(await page.isDisabled(w(".composer textarea")), true);
  assert.equal(await page.isVisible(w("button.handoff")), false);
  await page.screenshot({ path: path.join(SHOTS, "widget-not-allowed-1280.png") });
  assert.deepEqual(await axeViolations(page), [], "axe-core on the error state");
  const afterCount = (await http(gateway, "GET", `/api/v1/bots/${state.bot.id}/conversations`, { token: state.token })).body.conversations.length;
  assert.equal(afterCount, before, "no conversation was created");
  await context.close();
});

test("a saved token that expired, or that the gateway refuses, gives a new conversation instead of endless retries", async () => {
  const key = `botfactory.widget.${gateway}.${state.publicId}`;
  const now = Math.floor(Date.now() / 1000);
  const stale = (token) => JSON.stringify({
    session: { token, conversation_id: "stale-conversation", visitor: { id: "v_stale", name: "Guest 1" },
               bot: { name: "Relay Help", language: "en", greeting: "" } },
    lastSeq: 2, open: true,
    messages: [{ seq: 2, message: { id: "m-old", text: "an old question", created_at: new Date().toISOString(),
                                    sender: { kind: "visitor", id: "v_stale", name: "Guest 1" } } }],
  });
  const claims = { iss: "botfactory", sub: "v_stale", kind: "visitor", typ: "visitor", bot: state.bot.id, cid: "stale-conversation" };
  const expired = signJwt({ ...claims, iat: now - 7200, exp: now - 3600 });
  // Looks valid for a day, but its signature is wrong: the upgrade is refused (401, which the
  // browser does not show), and after a few refusals the widget asks the REST route.
  const forged = `${signJwt({ ...claims, iat: now, exp: now + 86400 }).slice(0, -4)}AAAA`;
  for (const token of [expired, forged]) {
    const { context, page } = await newPage(1280);
    await page.goto(`${allowedSite.origin}/`);
    await page.evaluate(([k, v]) => localStorage.setItem(k, v), [key, stale(token)]);
    await page.reload();
    await page.waitForSelector(w(".panel:not([hidden])"));
    await page.waitForSelector(w(".state >> text=The bot answers"), { timeout: 20000 });
    const saved = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), key));
    assert.notEqual(saved.session.conversation_id, "stale-conversation");
    assert.notEqual(saved.session.token, token);
    await page.waitForSelector(w(".msg-bot"), { timeout: 15000 });  // the new conversation's greeting
    assert.equal(await page.locator(w(".msg-visitor")).count(), 0, "the old conversation is gone from the screen");
    await context.close();
  }
});

test("the widget speaks the bot's language (Russian) with HH:MM times", async () => {
  const patched = await http(gateway, "PATCH", `/api/v1/bots/${state.bot.id}`, { token: state.token, body: { language: "ru", greeting: "Здравствуйте! Чем помочь?" } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const { context, page } = await newPage(1280);
  await page.goto(`${allowedSite.origin}/`);
  await page.click(w("button.launcher"));
  await page.waitForSelector(w(".msg-bot"), { timeout: 15000 });
  await page.waitForSelector(w(".state >> text=Отвечает бот"));
  assert.equal(await page.getAttribute(w("button.launcher"), "aria-label"), "Закрыть чат");
  assert.equal(await page.textContent(w("button.handoff")), "Позвать сотрудника");
  assert.equal(await page.getAttribute(w(".composer textarea"), "placeholder"), "Введите ваш вопрос…");
  assert.match(await page.textContent(w(".msg-bot time")), /^\d{2}:\d{2}$/);
  await page.screenshot({ path: path.join(SHOTS, "widget-ru-1280.png") });
  await context.close();
});
