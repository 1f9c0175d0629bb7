// Unanswered questions end to end (docs/api.md "Unanswered questions"), against one real fleet and
// headless Debian Chromium: a visitor asks a bot holding the Firefox Relay FAQ something its
// knowledge base does not cover ("What is the boiling point of tungsten?"); the extractive
// answerer says it does not know; the question shows on the bot's Unanswered page; the owner
// clicks "Add an answer", which writes a text document (question prefilled as its title) and
// dismisses the question; the list is then empty, the document exists, and the same question
// now gets a reply that quotes the new document. Also: "Dismiss" hides a question until a
// visitor asks it again; the REST bounds (400), another tenant (404), an operator may list but
// not dismiss (403); no sideways scrolling at 390 px and no English left on the Russian page.
// Screenshots: build/screenshots/unanswered-*.png (docs/img/dashboard-unanswered-en-1280.png).
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { dashboardCatalogue, horizontalOverflow, SHOTS, signInDashboard, startBrowserFleet, stopBrowserFleet, untranslatedTexts } from "./browser_support.mjs";
import { addRelayKnowledge, askBot, http, joinedWidgetVisitor } from "./harness.mjs";

const QUESTION = "What is the boiling point of tungsten?";
const ANSWER = "Tungsten boils at 5,555 °C (10,031 °F), the highest boiling point of any metal.";
const catalogue = dashboardCatalogue;

const owner = { email: "gaps@shop.example", username: "gaps_owner", password: "gaps-pass-2026" };
let fleet, base, browser, token;
let bot;
const clients = [];

before(async () => {
  ({ fleet, base, browser, token } = await startBrowserFleet(owner));
  bot = (await http(base, "POST", "/api/v1/bots", { token, body: { name: "Mozilla Help", language: "en" } })).body;
  await addRelayKnowledge(base, token, bot.id);
});

after(() => stopBrowserFleet({ fleet, browser, clients }));

/** A visitor of the bot on the widget, joined to its conversation. */
function visitor() {
  return joinedWidgetVisitor(base, bot.public_id, clients);
}

/** Sends `text` and resolves with the bot's reply (the committed message after it). */
async function ask(v, text) {
  return (await askBot(v, text)).reply.message;
}

const listUnanswered = (query = "") => http(base, "GET", `/api/v1/bots/${bot.id}/unanswered${query}`, { token });

test("REST: a question the knowledge base cannot answer is listed, grouped by wording; bounds and isolation", async () => {
  const v = await visitor();
  const reply = await ask(v, QUESTION);
  assert.ok(!(reply.sources?.length), `an "I don't know" reply cites nothing: ${reply.text}`);
  await ask(v, "what is the  BOILING point of tungsten");  // the same question, other wording
  const list = await listUnanswered();
  assert.equal(list.status, 200, JSON.stringify(list.body));
  assert.equal(list.body.days, 30);
  assert.equal(list.body.questions.length, 1, JSON.stringify(list.body));
  const [q] = list.body.questions;
  assert.equal(q.key, "what is the boiling point of tungsten");
  assert.equal(q.text, "what is the  BOILING point of tungsten");  // the latest wording
  assert.equal(q.count, 2);
  assert.equal(q.last_conversation_id, v.id);
  assert.ok(Date.parse(q.first_asked_at) <= Date.parse(q.last_asked_at));

  for (const bad of ["?days=0", "?days=91", "?limit=0", "?limit=201", "?days=x"]) {
    const res = await listUnanswered(bad);
    assert.equal(res.status, 400, `${bad}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, "validation_failed");
  }
  const noKey = await http(base, "POST", `/api/v1/bots/${bot.id}/unanswered/dismiss`, { token, body: {} });
  assert.equal(noKey.status, 400);
  const emptyKey = await http(base, "POST", `/api/v1/bots/${bot.id}/unanswered/dismiss`, { token, body: { key: "?!" } });
  assert.equal(emptyKey.status, 400);

  // Another tenant: 404 for A's bot, and its own (unknown) view holds nothing of A.
  const other = { email: "other-gaps@shop.example", username: "other_gaps", password: "other-pass-2026" };
  assert.equal((await http(base, "POST", "/api/v1/users", { body: other })).status, 201);
  const otherToken = (await http(base, "POST", "/api/v1/auth/login", { body: other })).body.access_token;
  const foreign = await http(base, "GET", `/api/v1/bots/${bot.id}/unanswered`, { token: otherToken });
  assert.equal(foreign.status, 404);
  assert.ok(!JSON.stringify(foreign.body).includes("tungsten"));
  const foreignDismiss = await http(base, "POST", `/api/v1/bots/${bot.id}/unanswered/dismiss`,
    { token: otherToken, body: { key: q.key } });
  assert.equal(foreignDismiss.status, 404);
  assert.equal((await listUnanswered()).body.questions.length, 1, "B's dismissal changed nothing of A");

  // An operator of the team may read the list but not dismiss.
  const invite = await http(base, "POST", "/api/v1/team/invites", { token, body: { role: "operator" } });
  assert.equal(invite.status, 201);
  const op = { email: "op-gaps@shop.example", username: "op_gaps", password: "op-pass-2026-x", invite_token: invite.body.token };
  assert.equal((await http(base, "POST", "/api/v1/users", { body: op })).status, 201, "operator joins");
  const opToken = (await http(base, "POST", "/api/v1/auth/login", { body: op })).body.access_token;
  assert.equal((await http(base, "GET", `/api/v1/bots/${bot.id}/unanswered`, { token: opToken })).status, 200);
  assert.equal((await http(base, "POST", `/api/v1/bots/${bot.id}/unanswered/dismiss`,
    { token: opToken, body: { key: q.key } })).status, 403);
});

test("the dashboard: Add an answer writes a document, the bot then answers, the question is gone", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signInDashboard(page, base, owner);
  await page.waitForSelector("[data-testid=bot-card]", { timeout: 15000 });
  // The bot's tabs lead to the page.
  await page.goto(`${base}/app/bots/${bot.id}/knowledge`);
  await page.click("nav.tabs >> text=Unanswered");
  await page.waitForSelector("[data-testid=unanswered-row]", { timeout: 15000 });
  const rows = await page.$$eval("[data-testid=unanswered-row]", (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 1);
  assert.match(rows[0], /BOILING point of tungsten/);
  const link = await page.getAttribute("[data-testid=unanswered-row] a", "href");
  assert.match(link, /^\/app\/inbox\/[0-9a-f-]{36}$/);
  await page.screenshot({ path: path.join(SHOTS, "unanswered-en-1280.png"), fullPage: true });

  // Russian, at a phone's width: no sideways scrolling, no English left.
  await page.selectOption("[data-testid=language]", "ru");
  await page.waitForSelector("h1 >> text=Вопросы без ответа");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);  // layout settles after the resize
  const overflow = await horizontalOverflow(page);
  assert.equal(overflow.by, 0, `the Unanswered page scrolls sideways at 390 px: ${overflow.sticking.join(", ")}`);
  // Nothing of the row is cut off inside its table either (the overflow check skips tables).
  const clipped = await page.$$eval("[data-testid=unanswered-row] a, [data-testid=unanswered-row] button, [data-testid=unanswered-row] td",
    (els) => els.filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth).map((e) => e.textContent));
  assert.deepEqual(clipped, [], "row content past the right edge at 390 px");
  assert.deepEqual(await untranslatedTexts(page, catalogue("en"), catalogue("ru")), [], "English left on the ru page");
  await page.screenshot({ path: path.join(SHOTS, "unanswered-ru-390.png"), fullPage: true });
  await page.selectOption("[data-testid=language]", "en");
  await page.waitForSelector("h1 >> text=Unanswered questions");
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.click("[data-testid=unanswered-row] >> text=Add an answer");
  await page.waitForSelector("[data-testid=answer-form]");
  assert.equal(await page.inputValue("[data-testid=answer-form] input[name=title]"), "what is the  BOILING point of tungsten");
  await page.fill("[data-testid=answer-form] textarea[name=body]", ANSWER);
  await page.screenshot({ path: path.join(SHOTS, "unanswered-answer-en-1280.png"), fullPage: true });
  await page.click("[data-testid=answer-form] button[type=submit]");
  await page.waitForSelector("[data-testid=unanswered-empty]", { timeout: 15000 });
  assert.equal(await page.textContent("[data-testid=unanswered-empty]"), "No unanswered questions in the last 30 days.");
  assert.equal(await page.textContent("[data-testid=unanswered-done]"), "Answer added to the knowledge base.");

  // The document exists, and the list (fetched again) is empty.
  const docs = (await http(base, "GET", `/api/v1/bots/${bot.id}/knowledge`, { token })).body.documents;
  const added = docs.find((d) => d.title === "what is the  BOILING point of tungsten");
  assert.ok(added, `the answer document: ${docs.map((d) => d.title).join(" | ")}`);
  assert.equal(added.format, "text");
  assert.deepEqual((await listUnanswered()).body.questions, []);

  // The bot now answers that question, quoting the new document.
  const v = await visitor();
  const reply = await ask(v, QUESTION);
  assert.match(reply.text, /5,555 °C/, `the bot quotes the answer: ${reply.text}`);
  assert.ok(reply.sources?.some((s) => s.document_id === added.id), JSON.stringify(reply.sources));
  assert.deepEqual((await listUnanswered()).body.questions, [], "an answered question is not listed");

  // Dismiss: hidden until a visitor asks again.
  await ask(v, "What is the airspeed velocity of an unladen swallow?");
  await page.reload();
  await page.waitForSelector("[data-testid=unanswered-row]", { timeout: 15000 });
  await page.click("[data-testid=unanswered-row] >> text=Dismiss");
  await page.waitForSelector("[data-testid=unanswered-empty]", { timeout: 15000 });
  assert.deepEqual((await listUnanswered()).body.questions, []);
  await ask(v, "what is the airspeed velocity of an unladen swallow");
  const again = (await listUnanswered()).body.questions;
  assert.equal(again.length, 1);
  assert.equal(again[0].key, "what is the airspeed velocity of an unladen swallow");
  assert.equal(again[0].count, 1, "only the asking after the dismissal counts");
  assert.deepEqual(errors, []);
  await page.close();
});
