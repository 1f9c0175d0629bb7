// Outgoing webhooks (docs/api.md "Outgoing webhooks") end to end against one real fleet (with
// WEBHOOK_ALLOW_PRIVATE=1, as harness.mjs sets it, so the receiver may listen on 127.0.0.1) and
// headless Debian Chromium: the owner opens "Webhooks" from the navigation, adds an endpoint
// pointing at a local HTTP receiver this test runs, sees the signing secret once; a widget
// visitor sends a message; the receiver gets a `message.created` whose BotFactory-Signature is
// HMAC-SHA256(secret, "<t>.<body>"); the deliveries table shows it delivered with HTTP 200; the
// test event arrives too; axe-core finds nothing serious. Then the page in Russian (and Uzbek) at
// 390 px: no English left, no sideways scroll (the endpoints table neither), long URLs wrap,
// axe clean. Screenshots: build/screenshots/webhooks-en-1280.png,
// webhooks-ru-390.png (docs/img/dashboard-webhooks-{en-1280,ru-390}.png).
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  axeViolations, dashboardCatalogue, horizontalOverflow, launchChromium, openNavAtPhoneWidth, SHOTS,
  signInDashboard, untranslatedTexts,
} from "./browser_support.mjs";
import { http, joinedWidgetVisitor, registerOwner, startFleet } from "./harness.mjs";

const ROUTE = "/api/v1/webhook-endpoints";
const owner = { email: "owner@hooks.example", username: "hooks_owner", password: "hooks-pass-2026" };
let fleet;
let base;
let browser;
let token;
let bot;
const clients = [];
const received = [];
let receiver;
let receiverUrl;

before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${receiver.address().port}/botfactory`;
  fleet = await startFleet();
  [base] = fleet.gateways;
  browser = await launchChromium();
  token = await registerOwner(base, owner);
  bot = (await http(base, "POST", "/api/v1/bots", { token, body: { name: "Parcel Helper", language: "en" } })).body;
});

after(async () => {
  for (const c of clients) c.close();
  await browser?.close();
  fleet?.stop();
  receiver?.close();
});

/** Waits (bounded poll, ≤ 20 s) for a received request matching `pred`. */
async function receivedWhere(pred, what) {
  for (let i = 0; i < 200; i++) {
    const found = received.find(pred);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the receiver never got ${what}; got ${received.map((r) => r.headers["botfactory-event"]).join(", ")}`);
}

/** Stripe's scheme: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>. */
function checkSignature(request, secret) {
  const header = request.headers["botfactory-signature"];
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  assert.ok(m, `signature header ${header}`);
  const expected = createHmac("sha256", secret).update(`${m[1]}.${request.body}`).digest("hex");
  assert.equal(m[2], expected, "v1 = HMAC-SHA256(secret, t.body)");
  assert.ok(Math.abs(Number(m[1]) - Date.now() / 1000) < 300, "t is the send time");
  const forged = createHmac("sha256", secret + "x").update(`${m[1]}.${request.body}`).digest("hex");
  assert.notEqual(m[2], forged);
}

test("the owner adds an endpoint; a visitor's message reaches the receiver signed; the log shows it", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signInDashboard(page, base, owner);
  await openNavAtPhoneWidth(page);  // a no-op when the links fit in the header
  await page.click("nav >> text=Webhooks");
  await page.waitForSelector("[data-testid=webhooks-empty]");
  assert.deepEqual(await axeViolations(page), [], "axe-core on the empty page");

  // The form's own checks: nothing is sent.
  await page.fill("[data-testid=webhook-url]", "ftp://nope");
  await page.click("[data-testid=webhook-create]");
  assert.equal(await page.textContent("[data-testid=webhook-url-error]"), "The URL must start with https://.");
  assert.equal((await http(base, "GET", ROUTE, { token })).body.webhook_endpoints.length, 0);

  await page.fill("[data-testid=webhook-url]", receiverUrl);
  await page.check("[data-testid='webhook-event-conversation.created']");
  await page.click("[data-testid=webhook-create]");
  await page.waitForSelector("[data-testid=webhooks-secret]");
  const secret = (await page.textContent("[data-testid=webhooks-secret-value]")).trim();
  assert.match(secret, /^whsec_[A-Za-z0-9_-]{40,}$/);
  // The list never carries it.
  const listed = await http(base, "GET", ROUTE, { token });
  assert.equal(listed.body.webhook_endpoints.length, 1);
  assert.ok(!JSON.stringify(listed.body).includes(secret));
  assert.deepEqual(listed.body.webhook_endpoints[0].events, ["conversation.created", "message.created"]);

  // A visitor writes; the receiver gets a signed message.created.
  const visitor = await joinedWidgetVisitor(base, bot.public_id, clients);
  const text = `Where is my parcel ${Date.now()}?`;
  visitor.client.send({ type: "message.send", conversation_id: visitor.id, client_id: "hooks-1", text });
  const hit = await receivedWhere((r) => r.headers["botfactory-event"] === "message.created" && r.body.includes(text),
    "the visitor's message.created");
  assert.equal(hit.method, "POST");
  assert.equal(hit.url, "/botfactory");
  assert.equal(hit.headers["content-type"], "application/json");
  assert.match(hit.headers["botfactory-delivery"], /^[0-9a-f-]{36}$/);
  checkSignature(hit, secret);
  const payload = JSON.parse(hit.body);
  assert.equal(payload.event, "message.created");
  assert.equal(payload.data.conversation_id, visitor.id);
  assert.equal(payload.data.bot_id, bot.id);
  assert.equal(payload.data.channel, "web");
  assert.equal(payload.data.author.role, "visitor");
  assert.equal(payload.data.text, text);
  assert.ok(payload.data.seq >= 1);
  const created = await receivedWhere((r) => r.headers["botfactory-event"] === "conversation.created" &&
    r.body.includes(visitor.id), "conversation.created");
  checkSignature(created, secret);

  // "Send test event": a signed webhook.test.
  await page.click("[data-testid=webhooks-secret-done]");
  await page.click("[data-testid=webhook-test]");
  await page.waitForSelector("[data-testid=webhooks-done]");
  checkSignature(await receivedWhere((r) => r.headers["botfactory-event"] === "webhook.test", "webhook.test"), secret);

  // The deliveries table shows the visitor's message delivered (HTTP 200).
  const deliveryId = hit.headers["botfactory-delivery"];
  const log = await http(base, "GET", `${ROUTE}/${listed.body.webhook_endpoints[0].id}/deliveries?limit=50`, { token });
  const row = log.body.deliveries.find((d) => d.id === deliveryId);
  assert.equal(row?.status, "delivered");
  assert.equal(row.last_status_code, 200);
  await page.click("[data-testid=webhook-refresh]");
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=webhook-delivery-row]")]
    .some((tr) => tr.textContent.includes("message.created") && tr.textContent.includes("Delivered") && tr.textContent.includes("200")));
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=webhook-delivery-row]")]
    .some((tr) => tr.textContent.includes("webhook.test") && tr.textContent.includes("Delivered")));
  assert.deepEqual(await axeViolations(page), [], "axe-core with endpoints and deliveries");
  await page.screenshot({ path: path.join(SHOTS, "webhooks-en-1280.png"), fullPage: true });

  // Disable, then delete through the confirmation dialog.
  await page.click("[data-testid=webhook-toggle]");
  await page.waitForSelector("[data-testid=webhook-row] >> text=Disabled");
  await page.click("[data-testid=webhook-delete]");
  await page.click("dialog[open] [data-testid=confirm]");
  await page.waitForSelector("[data-testid=webhooks-empty]");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the Webhooks page in Russian and Uzbek at 390 px: translated, no sideways scroll, long URLs wrap, axe clean", async () => {
  // Two endpoints, one with a long URL; the short one has a delivered test event to list.
  const longUrl = `${receiverUrl}/tenant-integrations/customer-relationship-management/inbound-events/botfactory-webhook-receiver?source=dashboard&token=${"x".repeat(60)}`;
  const long = await http(base, "POST", ROUTE, { token, body: { url: longUrl, events: ["message.created", "conversation.created", "handoff.requested"] } });
  assert.equal(long.status, 201);
  const short = await http(base, "POST", ROUTE, { token, body: { url: receiverUrl, events: ["handoff.requested"] } });
  assert.equal(short.status, 201);
  assert.equal((await http(base, "POST", `${ROUTE}/${short.body.id}/test`, { token })).status, 202);
  await receivedWhere((r) => r.headers["botfactory-event"] === "webhook.test" && r.url === "/botfactory" &&
    received.filter((x) => x.headers["botfactory-event"] === "webhook.test").length >= 2, "the second webhook.test");

  for (const lang of ["ru", "uz"]) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await signInDashboard(page, base, owner);
    await page.selectOption("[data-testid=language]", lang);
    await page.goto(`${base}/app/webhooks`);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=webhook-row]").length === 2);
    // The deliveries of the short endpoint (the second row).
    await page.locator("[data-testid=webhook-show]").nth(1).click();
    await page.waitForSelector("[data-testid=webhook-delivery-row]");
    await page.waitForFunction(() => document.documentElement.lang !== "en");

    const overflow = await horizontalOverflow(page);
    assert.equal(overflow.by, 0, `${lang}: the page scrolls sideways at 390 px: ${overflow.sticking.join(", ")}`);
    const tables = await page.evaluate(() => [...document.querySelectorAll("[data-testid=webhooks-table]")]
      .map((t) => ({ scroll: t.parentElement.scrollWidth, client: t.parentElement.clientWidth })));
    for (const t of tables) assert.ok(t.scroll <= t.client + 1, `${lang}: the endpoints table scrolls sideways (${t.scroll} > ${t.client})`);
    // The long URL is there in full (wrapped, not cut) and stays inside its cell.
    const cell = await page.evaluate((url) => {
      const code = [...document.querySelectorAll("[data-testid=webhook-row] code")].find((c) => c.textContent === url);
      if (!code) return null;
      const c = code.getBoundingClientRect();
      const td = code.closest("td").getBoundingClientRect();
      return { inside: c.right <= td.right + 1, lines: Math.round(c.height / parseFloat(getComputedStyle(code).lineHeight || "16")) };
    }, longUrl);
    assert.ok(cell, `${lang}: the long URL is shown in full`);
    assert.ok(cell.inside, `${lang}: the long URL sticks out of its cell`);
    assert.deepEqual(await untranslatedTexts(page, dashboardCatalogue("en"), dashboardCatalogue(lang)), [],
      `English left on the ${lang} Webhooks page`);
    assert.deepEqual(await axeViolations(page), [], `axe-core on the ${lang} Webhooks page at 390 px`);
    if (lang === "ru") await page.screenshot({ path: path.join(SHOTS, "webhooks-ru-390.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  }
});
