// Saved replies (canned responses, docs/api.md "Canned responses") end to end against one real
// fleet (CANNED_RESPONSES_MAX=4) and headless Debian Chromium: the owner invites an admin and an
// operator; the admin opens "Saved replies" from the navigation, sees the empty state, is
// stopped by the browser's own validation, creates "/refund" with {{visitor.name}} and
// {{bot.name}}, searches, edits and deletes (ConfirmDialog); axe-core finds nothing serious on
// the page. REST: operators list but get 403 on writes, visitors 403, a case-folded duplicate is
// 409 conflict, the bound is 409 canned_limit. Then a visitor asks for a person; the operator
// (dashboard in Russian, 390 px wide) takes over in the inbox, types "/ref", picks /refund with
// the keyboard and sends; the visitor's WebSocket receives the text with the name filled in.
// Screenshots: build/screenshots/canned-*.png (docs/img/dashboard-canned-en-1280.png,
// docs/img/dashboard-canned-picker-ru-390.png).
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { axeViolations, dashboardCatalogue, horizontalOverflow, launchChromium, SHOTS, signInDashboard, untranslatedTexts } from "./browser_support.mjs";
import { ChatClient, http, startFleet } from "./harness.mjs";

const REFUND = "Hi {{visitor.name}}, your refund for order 1234 is on its way. — {{bot.name}}";
const ROUTE = "/api/v1/canned-responses";

let fleet;
let base;
let browser;
const owner = { email: "owner@canned.example", username: "canned_owner", password: "canned-pass-2026" };
const admin = { email: "admin@canned.example", username: "canned_admin", password: "admin-pass-2026-x" };
const operator = { email: "op@canned.example", username: "canned_op", password: "op-pass-2026-x" };
const tokens = {};
let bot;
const clients = [];

async function join(account, role) {
  const invite = await http(base, "POST", "/api/v1/team/invites", { token: tokens.owner, body: { role } });
  assert.equal(invite.status, 201, JSON.stringify(invite.body));
  assert.equal((await http(base, "POST", "/api/v1/users", { body: { ...account, invite_token: invite.body.token } })).status, 201);
  return (await http(base, "POST", "/api/v1/auth/login", { body: account })).body.access_token;
}

before(async () => {
  fleet = await startFleet({ env: { CANNED_RESPONSES_MAX: "4" } });
  [base] = fleet.gateways;
  browser = await launchChromium();
  assert.equal((await http(base, "POST", "/api/v1/users", { body: owner })).status, 201);
  tokens.owner = (await http(base, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  // Three seats (owner, admin, operator): more than the trial's.
  assert.equal((await http(base, "POST", "/api/v1/subscriptions", { token: tokens.owner, body: { plan: "pro" } })).status, 200);
  tokens.admin = await join(admin, "admin");
  tokens.operator = await join(operator, "operator");
  bot = (await http(base, "POST", "/api/v1/bots", { token: tokens.owner, body: { name: "Shop Helper", language: "en" } })).body;
});

after(async () => {
  for (const c of clients) c.close();
  await browser?.close();
  fleet?.stop();
});

test("the admin manages saved replies on their page: empty state, validation, create, search, edit, delete", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signInDashboard(page, base, admin);
  await page.click("nav >> text=Saved replies");
  await page.waitForSelector("[data-testid=canned-empty]");
  assert.match(await page.textContent("[data-testid=canned-empty]"), /No saved replies yet/);
  assert.deepEqual(await axeViolations(page), [], "axe-core on the empty page");

  // The browser's own checks, in the UI language; nothing is sent.
  await page.fill("[data-testid=canned-code]", "re fund");
  await page.click("[data-testid=canned-save]");
  assert.equal(await page.textContent("[data-testid=canned-code-error]"), "Use only Latin letters, digits, _ and - (no spaces).");
  assert.equal(await page.textContent("[data-testid=canned-content-error]"), "Enter the text of the reply.");
  assert.equal(await page.getAttribute("[data-testid=canned-code]", "aria-invalid"), "true");
  assert.equal((await http(base, "GET", ROUTE, { token: tokens.admin })).body.total, 0);

  await page.fill("[data-testid=canned-code]", "Refund");
  await page.fill("[data-testid=canned-content]", REFUND);
  await page.click("[data-testid=canned-save]");
  await page.waitForSelector("[data-testid=canned-done] >> text=Saved /refund.");
  for (const [code, content] of [["hours", "We are open 9:00–18:00, Monday to Friday."], ["oops", "A reply with a typo"]]) {
    await page.fill("[data-testid=canned-code]", code);
    await page.fill("[data-testid=canned-content]", content);
    await page.click("[data-testid=canned-save]");
    await page.waitForSelector(`[data-testid=canned-done] >> text=Saved /${code}.`);
  }
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=canned-row]").length === 3);
  // The same code in another case: the server's 409, said in the UI language.
  await page.fill("[data-testid=canned-code]", "REFUND");
  await page.fill("[data-testid=canned-content]", "again");
  await page.click("[data-testid=canned-save]");
  await page.waitForSelector("[data-testid=canned-error] >> text=The short code /refund is already used by another saved reply.");
  await page.fill("[data-testid=canned-code]", "");
  await page.fill("[data-testid=canned-content]", "");

  // Search: by code prefix and by text, case-insensitive.
  await page.fill("[data-testid=canned-search]", "MONDAY");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=canned-row]").length === 1);
  assert.match(await page.textContent("[data-testid=canned-row]"), /\/hours/);
  await page.fill("[data-testid=canned-search]", "nothing like it");
  await page.waitForSelector("[data-testid=canned-no-match]");
  await page.fill("[data-testid=canned-search]", "");

  // Edit /oops, then delete it through the confirmation dialog.
  await page.click("button[aria-label='Edit /oops']");
  assert.equal(await page.inputValue("[data-testid=canned-code]"), "oops");
  // The focus moves to the code field as the click's own commit, never a frame later, where it
  // once took the next fill's text into the code field.
  assert.equal(await page.evaluate(() => document.activeElement?.id), "canned-code");
  await page.fill("[data-testid=canned-content]", "A reply without a typo");
  await page.click("[data-testid=canned-save]");
  await page.waitForSelector("[data-testid=canned-row] >> text=A reply without a typo");
  await page.click("button[aria-label='Delete /oops']");
  await page.waitForSelector("dialog[open] >> text=Delete /oops?");
  await page.click("dialog[open] [data-testid=confirm]");
  await page.waitForSelector("[data-testid=canned-done] >> text=Deleted /oops.");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=canned-row]").length === 2);
  const listed = (await http(base, "GET", ROUTE, { token: tokens.admin })).body;
  assert.deepEqual(listed.canned_responses.map((c) => c.short_code), ["hours", "refund"]);
  assert.equal(listed.canned_responses[1].content, REFUND);

  assert.deepEqual(await axeViolations(page), [], "axe-core on the page with replies");
  await page.screenshot({ path: path.join(SHOTS, "canned-en-1280.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("REST: roles, validation, duplicates, another tenant, the per-tenant bound", async () => {
  const list = await http(base, "GET", `${ROUTE}?q=/REF`, { token: tokens.operator });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.canned_responses.map((c) => c.short_code), ["refund"]);
  assert.equal(list.body.max, 4);
  const refund = list.body.canned_responses[0];
  // Operators read but do not write.
  for (const [method, route, body] of [["POST", ROUTE, { short_code: "op", content: "x" }],
    ["PATCH", `${ROUTE}/${refund.id}`, { content: "changed by an operator" }], ["DELETE", `${ROUTE}/${refund.id}`]]) {
    const res = await http(base, method, route, { token: tokens.operator, body });
    assert.equal(res.status, 403, `${method} as operator: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, "forbidden");
  }
  // A visitor token: 403, listing included.
  const session = await http(base, "POST", `/api/v1/widget/${bot.public_id}/sessions`, { body: {} });
  assert.equal((await http(base, "GET", ROUTE, { token: session.body.token })).status, 403);
  // Validation.
  for (const body of [{}, { short_code: "x" }, { short_code: "a b", content: "y" }, { short_code: "x".repeat(33), content: "y" },
    { short_code: "x", content: "" }, { short_code: "x", content: "tab\there" }, { short_code: "x", content: "y".repeat(2001) }]) {
    const res = await http(base, "POST", ROUTE, { token: tokens.admin, body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error.code, "validation_failed");
  }
  const dup = await http(base, "POST", ROUTE, { token: tokens.owner, body: { short_code: "ReFuNd", content: "again" } });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.code, "conflict");
  // Another tenant: A's id is unknown, its own list is empty.
  const other = { email: "other@canned.example", username: "canned_other", password: "other-pass-2026" };
  assert.equal((await http(base, "POST", "/api/v1/users", { body: other })).status, 201);
  const otherToken = (await http(base, "POST", "/api/v1/auth/login", { body: other })).body.access_token;
  assert.equal((await http(base, "PATCH", `${ROUTE}/${refund.id}`, { token: otherToken, body: { content: "mine" } })).status, 404);
  assert.equal((await http(base, "DELETE", `${ROUTE}/${refund.id}`, { token: otherToken })).status, 404);
  assert.deepEqual((await http(base, "GET", ROUTE, { token: otherToken })).body.canned_responses, []);
  // The bound (4 in this fleet): two more fit, the fifth is refused, a delete makes room.
  const made = [];
  for (const code of ["third", "fourth"]) {
    const res = await http(base, "POST", ROUTE, { token: tokens.admin, body: { short_code: code, content: code } });
    assert.equal(res.status, 201);
    made.push(res.body.id);
  }
  const full = await http(base, "POST", ROUTE, { token: tokens.admin, body: { short_code: "fifth", content: "5" } });
  assert.equal(full.status, 409);
  assert.equal(full.body.error.code, "canned_limit");
  for (const id of made) assert.equal((await http(base, "DELETE", `${ROUTE}/${id}`, { token: tokens.admin })).status, 204);
  assert.equal((await http(base, "GET", ROUTE, { token: tokens.admin })).body.total, 2);
});

test("the operator inserts /refund in the inbox with the keyboard (ru, 390 px); the visitor gets the filled text", async () => {
  // A visitor named Amina asks for a person.
  const session = await http(base, "POST", `/api/v1/widget/${bot.public_id}/sessions`, { body: { name: "Amina" } });
  assert.equal(session.status, 201);
  const v = new ChatClient(base, session.body.token);
  clients.push(v);
  await v.opened;
  const id = session.body.conversation_id;
  v.send({ type: "conversation.join", conversation_id: id, since_seq: 0 });
  await v.waitFor((f) => f.type === "conversation.joined", 10000, "visitor joined");
  v.send({ type: "message.send", conversation_id: id, client_id: "c-1", text: "Where is my refund?" });
  await v.waitFor((f) => f.type === "message.ack", 10000, "ack");
  v.send({ type: "handoff.request", conversation_id: id });
  await v.waitFor((f) => f.type === "conversation.state" && f.waiting_for_human, 10000, "waiting");

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "ru-RU" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signInDashboard(page, base, operator);
  await page.selectOption("[data-testid=language]", "ru");
  // The operator sees the list without edit controls.
  await page.goto(`${base}/app/saved-replies`);
  await page.waitForSelector("[data-testid=canned-readonly]");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=canned-row]").length === 2);
  assert.equal(await page.locator("[data-testid=canned-form]").count(), 0);
  assert.equal(await page.locator("[data-testid=canned-row] button").count(), 0);

  await page.goto(`${base}/app/inbox/${id}`);
  await page.waitForSelector("[data-testid=inbox-log] >> text=Where is my refund?");
  await page.click("[data-testid=takeover-toggle]");
  await v.waitFor((f) => f.type === "conversation.state" && f.handler === "human", 10000, "state human");
  const box = page.locator("[data-testid=reply-text]");
  await box.click();
  await page.keyboard.type("/ref");
  await page.waitForSelector("[data-testid=canned-picker]:not([hidden]) [data-testid=canned-option]");
  assert.equal(await box.getAttribute("aria-expanded"), "true");
  assert.equal(await box.getAttribute("role"), "combobox");
  const options = await page.$$eval("[data-testid=canned-option]", (els) => els.map((e) => e.textContent));
  assert.equal(options.length, 1);
  assert.match(options[0], /^\/refund/);
  assert.equal(await box.getAttribute("aria-activedescendant"), "canned-picker-0");
  const overflow = await horizontalOverflow(page);
  assert.equal(overflow.by, 0, `the inbox scrolls sideways at 390 px: ${overflow.sticking.join(", ")}`);
  assert.deepEqual(await untranslatedTexts(page, dashboardCatalogue("en"), dashboardCatalogue("ru")), [], "English left on the ru inbox");
  assert.deepEqual(await axeViolations(page), [], "axe-core on the inbox with the picker open");
  await page.screenshot({ path: path.join(SHOTS, "canned-picker-ru-390.png"), fullPage: false });

  // Escape closes; typing on reopens; "/" alone lists both, ArrowDown + ArrowUp come back.
  await page.keyboard.press("Escape");
  await page.waitForSelector("[data-testid=canned-picker][hidden]", { state: "attached" });
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=canned-option]").length === 2);
  await page.keyboard.press("ArrowDown");
  assert.equal(await box.getAttribute("aria-activedescendant"), "canned-picker-1");
  await page.keyboard.press("ArrowUp");
  assert.equal(await box.getAttribute("aria-activedescendant"), "canned-picker-0");
  await page.keyboard.type("ref");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=canned-option]").length === 1);
  await page.keyboard.press("Enter");  // inserts, does not send
  const filled = "Hi Amina, your refund for order 1234 is on its way. — Shop Helper";
  assert.equal(await box.inputValue(), filled);
  assert.equal(await box.getAttribute("aria-expanded"), "false");
  await page.keyboard.press("Enter");  // sends
  const reply = await v.waitFor((f) => f.type === "message.new" && f.message.sender.kind === "operator", 10000, "operator reply");
  assert.equal(reply.message.text, filled);
  await page.waitForSelector(`[data-testid=msg-operator] >> text=${filled}`);
  assert.equal(await box.inputValue(), "");
  assert.deepEqual(errors, []);
  await context.close();
});
