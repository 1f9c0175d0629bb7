// look: a bot's widget appearance end to end (docs/widget.md "Appearance"), against one real
// fleet and headless Debian Chromium. The owner sets colour #0b7a4b, a title, the left side and
// two suggested questions over REST; on a customer's page (its own origin) the widget opens on
// the left in that colour with white text (WCAG 2.1 contrast), the title in its header and the
// questions as buttons (the closed button already has the colour and side on a first visit,
// before any session); one, pressed with the keyboard, goes out as the visitor's message and the
// bot answers it; the buttons are gone after, and after a reload. A light colour gets dark text.
// The chat page shows the questions too. The dashboard's Install tab: the Appearance form's
// preview follows the colour as it is typed, a bad colour is refused in the browser, Save
// stores it (REST shows it) and a reload shows it; axe-core finds no serious or critical
// violation; no English left on the Russian page. Screenshots: build/screenshots/look-*.png
// (docs/img/widget-appearance.png, docs/img/dashboard-appearance-en-1280.png).
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { axeViolations, dashboardCatalogue, launchChromium, serveSite, shootAndCheck, SHOTS, signInDashboard, untranslatedTexts } from "./browser_support.mjs";
import { faqDocs, http, startFleet } from "./harness.mjs";

const GREEN = "rgb(11, 122, 75)";  // #0b7a4b
const QUESTIONS = ["What is Common Voice?", "How can I get the Common Voice data?"];
const owner = { email: "look@shop.example", username: "look_owner", password: "look-pass-2026" };
let fleet;
let gateway;
let browser;
let site;
let token;
let bot;

/**
 * A customer's page on its own loopback origin with the embed snippet; `?position=left|right`
 * adds that data-position to the script tag, `?open=1` data-open="true".
 */
function startSite() {
  return serveSite((req, res) => {
    const query = new URL(req.url, "http://x").searchParams;
    const position = ["left", "right"].includes(query.get("position")) ? ` data-position="${query.get("position")}"` : "";
    const open = query.get("open") === "1" ? ` data-open="true"` : "";
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Voice shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Voice shop</h1><p>Questions? Ask in the chat.</p></main>
<script src="${gateway}/widget.js" data-bot="${bot.public_id}"${position}${open} async></script></body></html>`);
  });
}

before(async () => {
  fleet = await startFleet();
  [gateway] = fleet.gateways;
  browser = await launchChromium();
  assert.equal((await http(gateway, "POST", "/api/v1/users", { body: owner })).status, 201);
  token = (await http(gateway, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  const created = await http(gateway, "POST", "/api/v1/bots", {
    token, body: { name: "Mozilla Help", language: "en", greeting: "Hi! Ask me about Common Voice." },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  bot = created.body;
  assert.deepEqual(bot.widget, { color: "#3b3fd8", title: "", position: "right", suggested_questions: [] });
  const docs = faqDocs("commonvoice");
  for (const d of docs) {
    const res = await http(gateway, "POST", `/api/v1/bots/${bot.id}/knowledge`, { token, body: { title: d.title, format: "text", body: d.text } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
  site = await startSite();
});

after(async () => {
  await browser?.close();
  await site?.close();
  fleet?.stop();
});

const w = (selector) => `[data-botfactory-widget] >> ${selector}`;

/** Computed styles inside the widget's shadow root. */
function widgetLook(page) {
  return page.evaluate(() => {
    const root = document.querySelector("[data-botfactory-widget]").shadowRoot;
    const box = (sel) => root.querySelector(sel).getBoundingClientRect();
    const style = (sel, prop) => getComputedStyle(root.querySelector(sel)).getPropertyValue(prop);
    const chips = root.querySelector(".chips");
    return {
      launcherLeft: box(".launcher").left, launcherRight: window.innerWidth - box(".launcher").right,
      panelLeft: box(".panel").left,
      launcherBg: style(".launcher", "background-color"), launcherInk: style(".launcher", "color"),
      headBg: style(".head", "background-color"), headInk: style(".head h2", "color"),
      title: root.querySelector(".head h2").textContent,
      chipsShown: !chips.hidden && chips.getBoundingClientRect().height > 0,
      chipsLabel: chips.getAttribute("aria-label"),
      chips: [...chips.querySelectorAll("button.chip")].map((b) => b.textContent),
      chipInk: root.querySelector(".chip") ? style(".chip", "color") : "",
    };
  });
}

test("the widget opens in the bot's colour, title and side; a suggested question is sent and answered", async () => {
  const set = await http(gateway, "PATCH", `/api/v1/bots/${bot.id}`, { token, body: { widget: {
    color: "#0B7A4B", title: "Common Voice help", position: "left", suggested_questions: QUESTIONS } } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual(set.body.widget, { color: "#0b7a4b", title: "Common Voice help", position: "left", suggested_questions: QUESTIONS });

  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-US" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  let sessionRequests = 0;
  page.on("request", (r) => { if (r.url().includes("/sessions")) sessionRequests++; });
  await page.goto(`${site.origin}/`);
  // A first visit, panel closed: the button gets the bot's colour and side from
  // GET /api/v1/widget/{public_id}, without a session (no conversation is created).
  await page.waitForFunction(() => {
    const b = document.querySelector("[data-botfactory-widget]")?.shadowRoot?.querySelector(".launcher");
    return b && getComputedStyle(b).backgroundColor === "rgb(11, 122, 75)";
  }, null, { timeout: 15000 });
  const closed = await widgetLook(page);
  assert.ok(closed.launcherLeft < 40, `the closed button is bottom-left: ${JSON.stringify(closed)}`);
  assert.equal(closed.launcherInk, "rgb(255, 255, 255)");
  assert.equal(sessionRequests, 0, "no session before the visitor opens the chat");
  assert.deepEqual(await axeViolations(page), [], "axe-core, closed");
  await page.click(w("button.launcher"));
  await page.waitForSelector(w(".msg-bot"), { timeout: 15000 });  // the greeting
  await page.waitForSelector(w(".chips:not([hidden]) .chip:not([disabled])"), { timeout: 15000 });
  const look = await widgetLook(page);
  assert.ok(look.launcherLeft < 40 && look.launcherRight > 1000, `the button is bottom-left: ${JSON.stringify(look)}`);
  assert.ok(look.panelLeft < 40, `the panel is on the left: ${look.panelLeft}`);
  assert.equal(look.launcherBg, GREEN);
  assert.equal(look.headBg, GREEN);
  assert.equal(look.launcherInk, "rgb(255, 255, 255)");  // white on #0b7a4b: 5.4:1
  assert.equal(look.headInk, "rgb(255, 255, 255)");
  assert.equal(look.title, "Common Voice help");
  assert.deepEqual(look.chips, QUESTIONS);
  assert.equal(look.chipsLabel, "Suggested questions");
  assert.equal(look.chipInk, GREEN);  // the accent reaches 4.5:1 on white: chip text in it
  assert.deepEqual(await axeViolations(page), [], "axe-core with the suggested questions shown");
  await page.screenshot({ path: path.join(SHOTS, "look-widget-1280.png") });

  // The keyboard: the first question is a button; Enter sends it as the visitor's message.
  await page.locator(w(".chip")).first().focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector(w(`.msg-visitor .text >> text="${QUESTIONS[0]}"`), { timeout: 10000 });
  const replies = async () => page.$$eval(w(".msg-bot:not(.draft) .text"), (els) => els.map((e) => e.textContent));
  const deadline = Date.now() + 20000;
  while ((await replies()).length < 2 && Date.now() < deadline) await page.waitForTimeout(100);
  const texts = await replies();
  assert.ok(texts.length >= 2, `the bot answered: ${JSON.stringify(texts)}`);
  assert.match(texts.at(-1), /voice/i, "the answer is about Common Voice");
  const after1 = await widgetLook(page);
  assert.equal(after1.chipsShown, false, "the questions are gone once the visitor wrote");
  assert.equal(await page.$eval(w(".msg-visitor"), (el) => getComputedStyle(el).backgroundColor), GREEN);
  await page.screenshot({ path: path.join(SHOTS, "look-widget-answered-1280.png") });

  // A reload: the same conversation, the look at once (saved with the session), no questions.
  await page.reload();
  await page.waitForSelector(w(".msg-visitor"), { timeout: 15000 });
  const reloaded = await widgetLook(page);
  assert.equal(reloaded.launcherBg, GREEN);
  assert.ok(reloaded.launcherLeft < 40);
  assert.equal(reloaded.chipsShown, false);
  assert.deepEqual(errors, []);
  await context.close();

  // The chat page (web/src/chat.ts) shows the questions too.
  const chat = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await chat.goto(`${gateway}/?bot=${bot.public_id}`);
  await chat.waitForSelector(".chips:not([hidden]) .chip", { timeout: 15000 });
  assert.deepEqual(await chat.$$eval(".chips .chip", (els) => els.map((e) => e.textContent)), QUESTIONS);
  await chat.close();
});

test("a light colour gets near-black text (WCAG 2.1 contrast); data-position still wins", async () => {
  const set = await http(gateway, "PATCH", `/api/v1/bots/${bot.id}`, { token, body: { widget: {
    color: "#f5d90a", suggested_questions: ["Is my account information public?"] } } });
  assert.equal(set.status, 200);
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${site.origin}/`);
  await page.click(w("button.launcher"));
  await page.waitForSelector(w(".chips:not([hidden]) .chip"), { timeout: 15000 });
  const look = await widgetLook(page);
  assert.equal(look.headBg, "rgb(245, 217, 10)");
  assert.equal(look.headInk, "rgb(17, 24, 39)");  // #111827 on yellow: 12.9:1 (white would be 1.4:1)
  assert.equal(look.chipInk, "rgb(17, 24, 39)");   // yellow text on white would be unreadable
  assert.equal(look.title, "Mozilla Help");         // empty title: the bot's name
  assert.ok(look.launcherRight < 40, "the bot's side: right (the default)");
  assert.deepEqual(await axeViolations(page), [], "axe-core with a light accent");
  await context.close();
  // The script tag's data-position overrides the bot's side (here from the first paint).
  const other = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const tagged = await other.newPage();
  await tagged.goto(`${site.origin}/?position=left&open=1`);
  await tagged.waitForSelector(w(".chips:not([hidden]) .chip"), { timeout: 15000 });
  assert.ok((await widgetLook(tagged)).launcherLeft < 40, "data-position=left puts the button on the left");
  await other.close();
});

test("the dashboard: the Appearance form's preview follows the typing; Save stores it; a reload shows it", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signInDashboard(page, gateway, owner);
  await page.waitForSelector("[data-testid=bot-card]", { timeout: 15000 });
  await page.goto(`${gateway}/app/bots/${bot.id}/install`);
  await page.waitForSelector("[data-testid=look-form]");
  const previewBg = () => page.$eval("[data-testid=look-preview-head]", (el) => getComputedStyle(el).backgroundColor);
  assert.equal(await page.inputValue("[data-testid=look-color]"), "#f5d90a");
  assert.equal(await previewBg(), "rgb(245, 217, 10)");

  // The colour, typed: the preview follows; the hint names the text colour and contrast.
  await page.fill("[data-testid=look-color]", "#0b7a4b");
  assert.equal(await previewBg(), GREEN);
  assert.match(await page.textContent("[data-testid=look-ink]"), /white \(contrast 5\.\d:1\)/);
  await page.fill("[data-testid=look-title]", "Common Voice help");
  assert.equal(await page.textContent("[data-testid=look-preview-title]"), "Common Voice help");
  await page.check("[data-testid=look-position-left]");
  // Questions: remove the one there, add two.
  await page.click("[data-testid=look-remove-0]");
  for (const [i, q] of QUESTIONS.entries()) {
    await page.click("[data-testid=look-add-question]");
    await page.fill(`[data-testid=look-question-${i}]`, q);
  }
  assert.deepEqual(await page.$$eval("[data-testid=look-preview] .look-chip", (els) => els.map((e) => e.textContent)), QUESTIONS);

  // Refused in the browser: a bad colour and an empty question (nothing sent).
  await page.fill("[data-testid=look-color]", "#0b7a4");
  await page.click("[data-testid=look-add-question]");
  await page.click("[data-testid=look-save]");
  assert.match(await page.textContent("#look-color-error"), /Enter a colour code like #0b7a4b/);
  assert.equal(await page.textContent("#look-question-2-error"), "Question 3 is empty: write it or remove it.");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "look-color");
  assert.equal((await http(gateway, "GET", `/api/v1/bots/${bot.id}`, { token })).body.widget.color, "#f5d90a");
  await page.click("[data-testid=look-remove-2]");
  await page.fill("[data-testid=look-color]", "#0b7a4b");
  await page.screenshot({ path: path.join(SHOTS, "look-dashboard-en-1280.png"), fullPage: true });
  await page.click("[data-testid=look-save]");
  await page.waitForSelector("[data-testid=look-saved] >> text=Saved.");
  const stored = (await http(gateway, "GET", `/api/v1/bots/${bot.id}`, { token })).body.widget;
  assert.deepEqual(stored, { color: "#0b7a4b", title: "Common Voice help", position: "left", suggested_questions: QUESTIONS });

  await page.reload();
  await page.waitForSelector("[data-testid=look-form]");
  assert.equal(await page.inputValue("[data-testid=look-color]"), "#0b7a4b");
  assert.equal(await page.inputValue("[data-testid=look-title]"), "Common Voice help");
  assert.ok(await page.isChecked("[data-testid=look-position-left]"));
  assert.equal(await page.inputValue("[data-testid=look-question-1]"), QUESTIONS[1]);
  assert.equal(await previewBg(), GREEN);
  await shootAndCheck(page, "look-dashboard", { noSidewaysScroll: true });

  // Russian: no English left on the page.
  await page.selectOption("[data-testid=language]", "ru");
  await page.waitForSelector("#look-heading >> text=Оформление");
  assert.deepEqual(await untranslatedTexts(page, dashboardCatalogue("en"), dashboardCatalogue("ru")), [], "English left on the ru page");
  await page.selectOption("[data-testid=language]", "en");
  assert.deepEqual(errors, []);
  await page.close();
});
