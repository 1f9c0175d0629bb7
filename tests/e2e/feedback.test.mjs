// Answer feedback end to end (docs/api.md "Answer feedback"), against one real fleet and headless
// Debian Chromium: a visitor of a bot holding the Firefox Relay FAQ asks a question in the widget,
// clicks "Not helpful" under the answer (never under the greeting), writes a comment and sends it;
// after a reload — and after the widget's saved ratings are wiped — the button is still pressed
// (the server is the source of truth); the bot's Feedback tab lists the question, the answer and
// the comment; the inbox shows the thumb and the comment under the reply. REST: the rules (only
// the conversation's visitor rates, only bot answers, bounds, validation, another tenant 404, an
// operator may read but not rate), the per-conversation write budget (FEEDBACK_WRITES_PER_MIN,
// 429 + Retry-After across gateways) and the analytics counts. live: the message.feedback frame —
// an inbox open before the rating and the visitor's second tab follow it without a reload. Screenshots:
// build/screenshots/feedback-*.png (docs/img/dashboard-feedback-en-1280.png, widget-feedback-en.png).
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { axeViolations, dashboardCatalogue, horizontalOverflow, shootAndCheck, SHOTS, signInDashboard, startBrowserFleet, stopBrowserFleet, untranslatedTexts } from "./browser_support.mjs";
import { addRelayKnowledge, askBot, http, joinedWidgetVisitor, repoRoot } from "./harness.mjs";

const GREETING = "Hi! Ask me about Firefox Relay.";
const QUESTION = "Will Firefox Relay forward emails with attachments?";
const COMMENT = "It did not say how large an attachment may be.";
const catalogue = dashboardCatalogue;

const owner = { email: "rate@shop.example", username: "rate_owner", password: "rate-pass-2026" };
let fleet, base, browser, token;
let bot;
const clients = [];

before(async () => {
  ({ fleet, base, browser, token } = await startBrowserFleet(owner));
  bot = (await http(base, "POST", "/api/v1/bots", { token, body: { name: "Relay Help", language: "en", greeting: GREETING } })).body;
  await addRelayKnowledge(base, token, bot.id);
});

after(() => stopBrowserFleet({ fleet, browser, clients }));

/** A visitor of the bot, joined to its conversation over the WebSocket. */
function visitor() {
  return joinedWidgetVisitor(base, bot.public_id, clients);
}

/** Sends `text`; resolves with {ask: the visitor message's seq, reply: the bot's message.new frame}. */
function ask(v, text) {
  return askBot(v, text);
}

const rate = (v, seq, body, asToken = v.token, conversation = v.id) =>
  http(base, "PUT", `/api/v1/conversations/${conversation}/messages/${seq}/feedback`, { token: asToken, body });

test("REST: only the visitor rates, only bot answers; replace, clear, bounds, isolation, analytics", async () => {
  const v = await visitor();
  const { ask: askSeq, reply } = await ask(v, QUESTION);
  assert.equal(reply.message.rateable, true, "a bot answer is marked rateable");
  const greeting = v.client.messages().find((f) => f.seq === 1);
  assert.equal(greeting.message.text, GREETING);
  assert.equal(greeting.message.rateable, undefined, "the greeting is not rateable");

  let res = await rate(v, reply.seq, { rating: "up" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual([res.body.seq, res.body.rating, res.body.comment], [reply.seq, "up", ""]);
  res = await rate(v, reply.seq, { rating: "down", comment: "  not what I asked  " });
  assert.equal(res.status, 200);
  assert.equal(res.body.comment, "not what I asked");
  res = await http(base, "GET", `/api/v1/conversations/${v.id}/feedback`, { token: v.token });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.feedback.map((f) => [f.seq, f.rating, f.comment]), [[reply.seq, "down", "not what I asked"]]);
  // The messages route carries the flag too (the replay of the widget and the inbox).
  const listed = await http(base, "GET", `/api/v1/conversations/${v.id}/messages`, { token: v.token });
  assert.deepEqual(listed.body.messages.filter((m) => m.rateable).map((m) => m.seq), [reply.seq]);

  // Not rateable: the greeting and the visitor's own message; a missing seq.
  for (const seq of [1, askSeq]) {
    res = await rate(v, seq, { rating: "up" });
    assert.equal(res.status, 409, `seq ${seq}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, "not_rateable");
  }
  res = await rate(v, 9999, { rating: "up" });
  assert.equal(res.status, 404);

  // Validation.
  const bad = [
    [{ rating: "meh" }, "validation_failed"], [{}, "validation_failed"], [{ rating: 1 }, "validation_failed"],
    [{ rating: "down", comment: "x".repeat(501) }, "validation_failed"],
    [{ rating: "down", comment: "two\nlines" }, "validation_failed"],
    [{ rating: "down", comment: "bell\u0007" }, "invalid_argument"],
    [{ rating: "down", comment: 7 }, "validation_failed"],
  ];
  for (const [body, code] of bad) {
    res = await rate(v, reply.seq, body);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, code, JSON.stringify(body));
  }
  for (const seq of ["x", "0", "-1", "+1", "99999999999999999999"]) {
    res = await rate(v, seq, { rating: "up" });
    assert.equal(res.status, 400, `seq ${seq}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.message, "seq must be an integer > 0");
  }
  assert.equal((await rate(v, reply.seq, { rating: "down", comment: "ж".repeat(500) })).status, 200, "500 code points fit");

  // Another visitor (another conversation of the same bot) and the owner's user token: 403.
  const other = await visitor();
  res = await rate(v, reply.seq, { rating: "up" }, other.token);
  assert.equal(res.status, 403);
  res = await http(base, "GET", `/api/v1/conversations/${v.id}/feedback`, { token: other.token });
  assert.equal(res.status, 403);
  res = await rate(v, reply.seq, { rating: "up" }, token);
  assert.equal(res.status, 403, "a user token reads but never rates");
  res = await http(base, "GET", `/api/v1/conversations/${v.id}/feedback`, { token });
  assert.equal(res.status, 200);
  assert.equal(res.body.feedback[0].rating, "down", "the refused writes changed nothing");

  // Clear, then rate again "up" (the analytics below count it).
  res = await rate(v, reply.seq, { rating: null, comment: "ignored" });
  assert.equal(res.status, 200);
  assert.deepEqual([res.body.rating, res.body.comment, res.body.updated_at], [null, "", null]);
  assert.deepEqual((await http(base, "GET", `/api/v1/conversations/${v.id}/feedback`, { token })).body.feedback, []);
  assert.equal((await rate(v, reply.seq, { rating: "up" })).status, 200);

  // The bot's list: bounds; another tenant 404; an operator may read, not rate.
  for (const q of ["?days=0", "?days=91", "?limit=0", "?limit=201", "?rating=meh", "?days=x", "?days=-1", "?days=%2B5"]) {
    res = await http(base, "GET", `/api/v1/bots/${bot.id}/feedback${q}`, { token });
    assert.equal(res.status, 400, `${q}: ${JSON.stringify(res.body)}`);
  }
  // The shared query-parameter wording (docs/api.md Conventions, rest/query_params).
  res = await http(base, "GET", `/api/v1/bots/${bot.id}/feedback?days=91`, { token });
  assert.equal(res.body.error.message, "days must be an integer in 1..90");
  res = await http(base, "GET", `/api/v1/bots/${bot.id}/feedback?limit=201`, { token });
  assert.equal(res.body.error.message, "limit must be an integer in 1..200");
  res = await http(base, "GET", `/api/v1/bots/${bot.id}/feedback?rating=up`, { token });
  assert.equal(res.status, 200);
  assert.equal(res.body.up, 1);
  assert.equal(res.body.replies[0].question, QUESTION);
  const b = { email: "other-rate@shop.example", username: "other_rate", password: "other-pass-2026" };
  assert.equal((await http(base, "POST", "/api/v1/users", { body: b })).status, 201);
  const bToken = (await http(base, "POST", "/api/v1/auth/login", { body: b })).body.access_token;
  res = await http(base, "GET", `/api/v1/bots/${bot.id}/feedback`, { token: bToken });
  assert.equal(res.status, 404);
  assert.ok(!JSON.stringify(res.body).includes(QUESTION));
  assert.equal((await http(base, "GET", `/api/v1/conversations/${v.id}/feedback`, { token: bToken })).status, 404);
  const invite = await http(base, "POST", "/api/v1/team/invites", { token, body: { role: "operator" } });
  assert.equal(invite.status, 201);
  const op = { email: "op-rate@shop.example", username: "op_rate", password: "op-pass-2026-x", invite_token: invite.body.token };
  assert.equal((await http(base, "POST", "/api/v1/users", { body: op })).status, 201, "operator joins");
  const opToken = (await http(base, "POST", "/api/v1/auth/login", { body: op })).body.access_token;
  assert.equal((await http(base, "GET", `/api/v1/bots/${bot.id}/feedback`, { token: opToken })).status, 200);
  assert.equal((await http(base, "GET", `/api/v1/conversations/${v.id}/feedback`, { token: opToken })).status, 200);
  assert.equal((await rate(v, reply.seq, { rating: "down" }, opToken)).status, 403);

  // Analytics: today's "up".
  res = await http(base, "GET", `/api/v1/analytics?days=7&bot_id=${bot.id}`, { token });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.totals.feedback, { up: 1, down: 0 });
  assert.deepEqual(res.body.daily.at(-1).feedback, { up: 1, down: 0 });
});

/** Playwright's CSS selectors pierce open shadow roots: `w(".panel")` is inside the widget. */
const w = (selector) => `[data-botfactory-widget] >> ${selector}`;

test("widget → dashboard → inbox: Not helpful with a comment, kept across reloads, listed and shown", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}/widget-preview.html?bot=${bot.public_id}&open=1`);
  await page.waitForSelector(w(".msg-bot"), { timeout: 15000 });  // the greeting
  await page.fill(w(".composer textarea"), QUESTION);
  await page.press(w(".composer textarea"), "Enter");
  // The answer (not the greeting) gets the thumbs.
  await page.waitForSelector(w(".msg-bot .feedback .fb-down"), { timeout: 20000 });
  assert.equal(await page.locator(w(".msg-bot .feedback")).count(), 1, "thumbs under the answer only");
  assert.equal(await page.getAttribute(w(".feedback .fb-down"), "aria-pressed"), "false");
  assert.equal(await page.getAttribute(w(".feedback .fb-down"), "aria-label"), "Not helpful");
  assert.equal(await page.getAttribute(w(".feedback .fb-up"), "aria-label"), "Helpful");
  await page.click(w(".feedback .fb-down"));
  await page.waitForSelector(w(".feedback .fb-down[aria-pressed=true]"));
  await page.waitForSelector(w(".fb-comment input"), { state: "visible" });
  await page.fill(w(".fb-comment input"), COMMENT);
  await page.screenshot({ path: path.join(SHOTS, "feedback-widget-comment-en.png") });
  await page.click(w(".fb-comment .fb-send"));
  await page.waitForSelector(w(".fb-comment"), { state: "hidden" });
  await page.waitForSelector(w(".fb-note >> text=Thanks for your feedback!"));
  assert.deepEqual(await widgetAxe(page), [], "axe-core inside the widget");
  await page.screenshot({ path: path.join(SHOTS, "feedback-widget-en.png") });
  const conversationId = await page.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith("botfactory.feedback."))?.slice(20));
  assert.ok(conversationId, "the rating is saved in localStorage");
  const stored = await http(base, "GET", `/api/v1/conversations/${conversationId}/feedback`, { token });
  assert.deepEqual(stored.body.feedback.map((f) => [f.rating, f.comment]), [["down", COMMENT]]);

  // Reload: still pressed; wipe the widget's saved ratings and reload: the server's come back.
  await page.reload();
  await page.waitForSelector(w(".feedback .fb-down[aria-pressed=true]"), { timeout: 15000 });
  await page.evaluate((id) => localStorage.removeItem(`botfactory.feedback.${id}`), conversationId);
  await page.reload();
  await page.waitForSelector(w(".feedback .fb-down[aria-pressed=true]"), { timeout: 15000 });
  assert.equal(await page.getAttribute(w(".feedback .fb-up"), "aria-pressed"), "false");
  // Keyboard: Tab reaches the thumbs, Enter on "Helpful" switches the rating.
  await page.focus(w(".feedback .fb-down"));
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.evaluate(() => document.querySelector("[data-botfactory-widget]").shadowRoot.activeElement?.className), "fb-up");
  await page.keyboard.press("Enter");
  await page.waitForSelector(w(".feedback .fb-up[aria-pressed=true]"));
  await page.keyboard.press("Enter");  // pressed again: cleared
  await page.waitForSelector(w(".feedback .fb-up[aria-pressed=false]"));
  assert.deepEqual((await http(base, "GET", `/api/v1/conversations/${conversationId}/feedback`, { token })).body.feedback, []);
  await page.click(w(".feedback .fb-down"));
  await page.waitForSelector(w(".fb-comment input"), { state: "visible" });
  await page.fill(w(".fb-comment input"), COMMENT);
  await page.click(w(".fb-comment .fb-send"));
  await page.waitForSelector(w(".fb-comment"), { state: "hidden" });

  // The dashboard's Feedback tab (Not helpful is the default filter).
  const dash = await context.newPage();
  dash.on("pageerror", (e) => errors.push(String(e)));
  await signInDashboard(dash, base, owner);
  await dash.waitForSelector("[data-testid=bot-card]", { timeout: 15000 });
  await dash.goto(`${base}/app/bots/${bot.id}/unanswered`);
  await dash.click("nav.tabs >> text=Feedback");
  await dash.waitForSelector("[data-testid=feedback-row]", { timeout: 15000 });
  const rows = await dash.$$eval("[data-testid=feedback-row]", (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 1, rows.join(" | "));
  assert.ok(rows[0].includes(QUESTION), rows[0]);
  assert.ok(rows[0].includes(COMMENT), rows[0]);
  assert.match(rows[0], /Not helpful/);
  const summary = await dash.textContent("[data-testid=feedback-summary]");
  assert.match(summary, /Not helpful: 1/);
  await shootAndCheck(dash, "feedback-dashboard-en");
  // Russian at a phone's width: no English left, no sideways scrolling.
  await dash.selectOption("[data-testid=language]", "ru");
  await dash.waitForSelector("h1 >> text=Оценки ответов");
  await dash.setViewportSize({ width: 390, height: 844 });
  await dash.waitForTimeout(100);  // layout settles after the resize
  assert.equal((await horizontalOverflow(dash)).by, 0, "the Feedback page scrolls sideways at 390 px");
  assert.deepEqual(await untranslatedTexts(dash, catalogue("en"), catalogue("ru")), [], "English left on the ru page");
  await dash.screenshot({ path: path.join(SHOTS, "feedback-dashboard-ru-390.png"), fullPage: true });
  await dash.selectOption("[data-testid=language]", "en");
  await dash.waitForSelector("h1 >> text=Answer feedback");
  await dash.setViewportSize({ width: 1280, height: 900 });
  // "All" also lists the REST test's "up".
  await dash.selectOption("[data-testid=feedback-filter]", "all");
  await dash.waitForFunction(() => document.querySelectorAll("[data-testid=feedback-row]").length === 2);
  await dash.selectOption("[data-testid=feedback-filter]", "down");
  await dash.waitForFunction(() => document.querySelectorAll("[data-testid=feedback-row]").length === 1);

  // The inbox: the thumb and the comment under the reply.
  await dash.click("[data-testid=feedback-row] >> text=Open conversation");
  await dash.waitForSelector("[data-testid=msg-feedback]", { timeout: 15000 });
  const mark = await dash.textContent("[data-testid=msg-feedback]");
  assert.match(mark, /Visitor rated: Not helpful/);
  assert.ok(mark.includes(COMMENT), mark);
  assert.equal(await dash.getAttribute("[data-testid=msg-feedback]", "data-rating"), "down");
  await dash.screenshot({ path: path.join(SHOTS, "feedback-inbox-en-1280.png") });
  assert.deepEqual(await axeViolations(dash), [], "axe-core on the inbox view");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the chat page: the same thumbs; Helpful is stored and still pressed after a reload", async () => {
  const page = await browser.newPage({ viewport: { width: 520, height: 760 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}/?bot=${bot.public_id}`);
  await page.waitForSelector("#send:not([disabled])", { timeout: 15000 });
  await page.waitForSelector(".msg-bot", { timeout: 15000 });
  assert.equal(await page.locator(".msg-bot .feedback").count(), 0, "no thumbs under the greeting");
  await page.fill("#text", QUESTION);
  await page.click("#send");
  await page.waitForSelector(".msg-bot .feedback .fb-up", { timeout: 20000 });
  await page.click(".msg-bot .feedback .fb-up");
  await page.waitForSelector(".feedback .fb-up[aria-pressed=true]");
  assert.equal(await page.locator(".fb-comment").count(), 0, "no comment box after Helpful");
  await page.screenshot({ path: path.join(SHOTS, "feedback-chat-page-en.png") });
  const id = await page.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith("botfactory.feedback."))?.slice(20));
  const stored = await http(base, "GET", `/api/v1/conversations/${id}/feedback`, { token });
  assert.deepEqual(stored.body.feedback.map((f) => f.rating), ["up"]);
  await page.evaluate((c) => localStorage.removeItem(`botfactory.feedback.${c}`), id);
  await page.reload();
  await page.waitForSelector(".feedback .fb-up[aria-pressed=true]", { timeout: 15000 });
  assert.deepEqual(errors, []);
  await page.close();
});

/** axe-core's serious and critical violations inside the widget (its host and shadow tree). */
async function widgetAxe(page) {
  if (!(await page.evaluate(() => "axe" in window))) {
    await page.addScriptTag({ path: path.join(repoRoot, "web/dashboard/node_modules/axe-core/axe.min.js") });
  }
  const results = await page.evaluate(() => window.axe.run({ include: [["[data-botfactory-widget]"]] }, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    rules: { region: { enabled: false } },
  }));
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(", ")}`);
}

// Last: its ratings would show up in the Feedback tab the browser tests above count.
test("REST: FEEDBACK_WRITES_PER_MIN (30) per conversation: 429 rate_limited with Retry-After, nothing stored", async () => {
  const v = await visitor();
  const { reply } = await ask(v, QUESTION);
  // Through every gateway in turn: channel-connector counts in Redis, not per gateway.
  const at = (i) => fleet.gateways[i % fleet.gateways.length];
  const put = (i, body) => http(at(i), "PUT", `/api/v1/conversations/${v.id}/messages/${reply.seq}/feedback`, { token: v.token, body });
  for (let i = 0; i < 30; i++) {
    const res = await put(i, { rating: i % 2 ? "up" : "down", comment: `write ${i}` });
    assert.equal(res.status, 200, `write ${i}: ${JSON.stringify(res.body)}`);
  }
  let res = await put(30, { rating: "down", comment: "one too many" });
  assert.equal(res.status, 429, JSON.stringify(res.body));
  assert.equal(res.body.error.code, "rate_limited");
  const retry = Number(res.headers.get("retry-after"));
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${res.headers.get("retry-after")}`);
  assert.equal((await put(31, { rating: null })).status, 429, "a clear is a write too");
  res = await http(base, "GET", `/api/v1/conversations/${v.id}/feedback`, { token: v.token });
  assert.deepEqual(res.body.feedback.map((f) => [f.rating, f.comment]), [["up", "write 29"]], "the 30th write is what stays");
  // Another conversation has its own budget.
  const w2 = await visitor();
  const other = await ask(w2, QUESTION);
  assert.equal((await rate(w2, other.reply.seq, { rating: "up" })).status, 200);
});

test("the chat page: a rating over the conversation's write budget says to wait and keeps the previous one", async () => {
  const page = await browser.newPage({ viewport: { width: 520, height: 760 } });
  await page.goto(`${base}/?bot=${bot.public_id}`);
  await page.waitForSelector("#send:not([disabled])", { timeout: 15000 });
  await page.fill("#text", QUESTION);
  await page.click("#send");
  await page.waitForSelector(".msg-bot .feedback .fb-up", { timeout: 20000 });
  await page.click(".msg-bot .feedback .fb-up");
  await page.waitForSelector(".feedback .fb-up[aria-pressed=true]");
  // Spend the rest of the conversation's budget with the page's own visitor token.
  const saved = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), `botfactory.session.${bot.public_id}`);
  const { token: visitorToken, conversation_id: id } = saved.session;
  const seq = (await http(base, "GET", `/api/v1/conversations/${id}/feedback`, { token: visitorToken })).body.feedback[0].seq;
  let status = 200;
  for (let i = 0; i < 40 && status === 200; i++) {
    status = (await http(base, "PUT", `/api/v1/conversations/${id}/messages/${seq}/feedback`,
      { token: visitorToken, body: { rating: "up", comment: "" } })).status;
  }
  assert.equal(status, 429, "the budget is spent");
  await page.click(".msg-bot .feedback .fb-down");
  await page.waitForFunction(() => document.querySelector(".msg-bot .feedback")?.textContent?.includes("Too many changes"));
  assert.equal(await page.getAttribute(".feedback .fb-up", "aria-pressed"), "true", "the stored rating stays pressed");
  assert.equal(await page.getAttribute(".feedback .fb-down", "aria-pressed"), "false");
  await page.close();
});

// live: after the Feedback-tab counts above (its ratings are the bot's too).
test("live: the inbox open before the rating and the visitor's second tab follow it without a reload", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  const errors = [];
  const tabA = await context.newPage();
  tabA.on("pageerror", (e) => errors.push(String(e)));
  await tabA.goto(`${base}/?bot=${bot.public_id}`);
  await tabA.waitForSelector("#send:not([disabled])", { timeout: 15000 });
  await tabA.fill("#text", QUESTION);
  await tabA.click("#send");
  await tabA.waitForSelector(".msg-bot .feedback .fb-down", { timeout: 20000 });
  const saved = await tabA.evaluate((k) => JSON.parse(localStorage.getItem(k)), `botfactory.session.${bot.public_id}`);
  const id = saved.session.conversation_id;
  // The same visitor in a second tab (the saved session: the same conversation).
  const tabB = await context.newPage();
  tabB.on("pageerror", (e) => errors.push(String(e)));
  await tabB.goto(`${base}/?bot=${bot.public_id}`);
  await tabB.waitForSelector(".msg-bot .feedback .fb-down[aria-pressed=false]", { timeout: 15000 });
  await tabB.waitForSelector("#send:not([disabled])", { timeout: 15000 });  // joined: frames flow

  // The operator opens the conversation before any rating.
  const dashContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  const dash = await dashContext.newPage();
  dash.on("pageerror", (e) => errors.push(String(e)));
  await signInDashboard(dash, base, owner);
  await dash.waitForSelector("[data-testid=bot-card]", { timeout: 15000 });
  await dash.goto(`${base}/app/inbox/${id}`);
  await dash.waitForSelector("[data-testid=inbox-log] >> text=" + QUESTION, { timeout: 15000 });
  await dash.waitForSelector("[data-testid=inbox-log] [data-testid=msg-bot] >> nth=1", { timeout: 15000 });  // greeting, answer
  assert.equal(await dash.locator("[data-testid=msg-feedback]").count(), 0, "not rated yet");
  // Wait until the inbox's socket has joined this conversation: a rating published before the
  // join would only show on the next open. A visitor message is live proof the frames flow.
  await tabA.fill("#text", "live check 42");
  await tabA.click("#send");
  await dash.waitForSelector(`[data-testid=inbox-log] >> text="live check 42"`, { timeout: 15000 });

  // Tab A: Not helpful with a comment. Tab B and the inbox follow, no reload.
  await tabA.click(".msg-bot .feedback .fb-down");
  await tabA.waitForSelector(".fb-comment input", { state: "visible" });
  await tabB.waitForSelector(".feedback .fb-down[aria-pressed=true]", { timeout: 10000 });
  await dash.waitForSelector("[data-testid=msg-feedback][data-rating=down]", { timeout: 10000 });
  await tabA.fill(".fb-comment input", COMMENT);
  await tabA.click(".fb-comment .fb-send");
  await tabA.waitForSelector(".fb-comment", { state: "hidden" });
  await dash.waitForFunction((c) => document.querySelector("[data-testid=msg-feedback]")?.textContent?.includes(c), COMMENT, { timeout: 10000 });
  assert.match(await dash.textContent("[data-testid=msg-feedback]"), /Visitor rated: Not helpful/);
  assert.equal(await tabA.getAttribute(".feedback .fb-down", "aria-pressed"), "true", "the rater's own echo changes nothing");
  await dash.screenshot({ path: path.join(SHOTS, "feedback-live-inbox-en-1280.png") });
  assert.deepEqual(await axeViolations(dash), [], "axe-core on the inbox after the live mark");

  // Tab B switches to Helpful: tab A and the inbox follow; the comment goes with the old rating.
  await tabB.click(".msg-bot .feedback .fb-up");
  await tabA.waitForSelector(".feedback .fb-up[aria-pressed=true]", { timeout: 10000 });
  assert.equal(await tabA.getAttribute(".feedback .fb-down", "aria-pressed"), "false");
  await dash.waitForSelector("[data-testid=msg-feedback][data-rating=up]", { timeout: 10000 });
  assert.equal(await dash.locator("[data-testid=msg-feedback] q").count(), 0, "no comment with Helpful");
  // Tab A clears it: the mark goes.
  await tabA.click(".msg-bot .feedback .fb-up");
  await tabB.waitForSelector(".feedback .fb-up[aria-pressed=false]", { timeout: 10000 });
  await dash.waitForSelector("[data-testid=msg-feedback]", { state: "detached", timeout: 10000 });
  assert.deepEqual((await http(base, "GET", `/api/v1/conversations/${id}/feedback`, { token })).body.feedback, []);
  assert.deepEqual(errors, []);
  await dashContext.close();
  await context.close();
});
