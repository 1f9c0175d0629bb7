// The dashboard (web/dashboard, served at /app/) in headless Debian Chromium against the real
// fleet: sign up, create a bot, upload a knowledge file with a visible progress bar and see it
// listed with its chunks, model keys, plan and usage bars after a real reply, English → Russian →
// Uzbek (persisted), the Channels screen against a fake Telegram Bot API (connect with polling,
// health from a real inbound update and a refused reply, disconnect), the Chart.js usage chart and
// its table, invisible refresh-token rotation (one refresh for many 401s), sign out.
// Every screen is photographed at 1280 px and 375 px into build/screenshots/ for review, and
// axe-core (web/dashboard's devDependency) finds no serious or critical violation on it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { startFakeMeta } from "./fake_meta.mjs";
import { startFakeTelegram } from "./fake_telegram.mjs";
import { AXE, SHOTS, axeViolations, dashboardCatalogue, framesSettled, headerLayout, horizontalOverflow, recordUploadProgress, uploadProgressSeen, launchChromium, openNavAtPhoneWidth, shootAndCheck, untranslatedTexts } from "./browser_support.mjs";
import { faqDocs, http, repoRoot, startFleet } from "./harness.mjs";

const owner = { email: "owner@dash.example", username: "dash_owner", password: "dash-pass-2026" };
let fleet;
let telegram;
let meta;
let GOOD_TOKEN;  // the fake Telegram's bot "relay_help_bot"
const META_TOKEN = "EAAGdashboardAccessTok3nW4bz";
const PHONE_NUMBER_ID = "106540352242922";
let browser;
let context;
let page;
let base;
const state = {};

before(async () => {
  telegram = await startFakeTelegram();
  GOOD_TOKEN = telegram.addBot(123456789, "relay_help_bot");
  meta = await startFakeMeta();
  meta.addAccount(PHONE_NUMBER_ID, META_TOKEN, "whatsapp");
  fleet = await startFleet({ env: {
    TELEGRAM_API_BASE_URL: telegram.url, TELEGRAM_POLL_TIMEOUT_S: "1", META_GRAPH_BASE_URL: meta.url,
    CHANNEL_PUBLIC_BASE_URL: "https://bots.example.com",
  } });
  [base] = fleet.gateways;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  page = await context.newPage();
  page.on("pageerror", (e) => { state.pageErrors = [...(state.pageErrors ?? []), String(e)]; });
  // A static file (page, script, style, the favicon) answered with an error is a broken page too.
  page.on("response", (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith("/api/")) {
      state.pageErrors = [...(state.pageErrors ?? []), `${r.status()} ${r.url()}`];
    }
  });
});

after(async () => {
  await browser?.close();
  fleet?.stop();
  await telegram?.close();
  await meta?.close();
});

/**
 * Full-page screenshots of the current screen at 1280 px and 375 px; axe-core at both; at 375 px
 * the page must not scroll sideways (browser_support.mjs shootAndCheck).
 */
const shoot = (name) => shootAndCheck(page, `dashboard-${name}`, { noSidewaysScroll: true });

const routeOf = () => new URL(page.url()).pathname;

/** Pixels of the first bot's colour (#2563eb) on the usage chart's canvas. */
const barPixels = () => page.evaluate(() => {
  const c = document.querySelector("[data-testid=usage-chart] canvas");
  const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] === 37 && data[i + 1] === 99 && data[i + 2] === 235) n += 1;
  return n;
});

test("every catalogue key exists in en, ru and uz (and every API error code has a message)", () => {
  const out = execFileSync(process.execPath, [path.join(repoRoot, "web/dashboard/scripts/check-i18n.mjs")], { encoding: "utf8" });
  assert.match(out, /i18n check: \d+ keys/);
});

test("the gateway serves the dashboard at /app/ with client-side routes, and assets stay strict", async () => {
  const index = await fetch(`${base}/app/`);
  assert.equal(index.status, 200);
  const html = await index.text();
  assert.match(html, /<div id="root">/);
  const deep = await fetch(`${base}/app/bots/00000000-0000-0000-0000-000000000000/knowledge`);
  assert.equal(deep.status, 200);
  assert.equal(await deep.text(), html);
  assert.equal((await fetch(`${base}/app/assets/missing-123.js`)).status, 404);
  const script = html.match(/src="(\/app\/assets\/[^"]+\.js)"/)[1];
  const js = await fetch(base + script);
  assert.equal(js.status, 200);
  assert.match(js.headers.get("content-type"), /javascript/);
});

test("a new owner is sent to sign-in, sees a clear error for a wrong password, and signs up", async () => {
  await page.goto(`${base}/app/`);
  await page.waitForSelector("h1");
  assert.equal(routeOf(), "/app/signin");
  assert.equal(await page.textContent("h1"), "Sign in to BotFactory");
  await shoot("signin");

  await page.fill("input[name=email]", "nobody@dash.example");
  await page.fill("input[name=password]", "not-the-password");
  await page.click("button[type=submit]");
  const alert = await page.waitForSelector("[role=alert]");
  assert.equal(await alert.textContent(), "Wrong e-mail or password.");

  await page.click("text=Sign up");
  await page.waitForSelector("input[name=username]");
  assert.equal(routeOf(), "/app/signup");
  await page.fill("input[name=email]", owner.email);
  await page.fill("input[name=username]", owner.username);
  await page.fill("input[name=password]", owner.password);
  await shoot("signup");
  await page.click("button[type=submit]");
  await page.waitForSelector("text=You have no bots yet", { timeout: 15000 });
  assert.equal(routeOf(), "/app/bots");
  assert.equal(await page.textContent("[data-testid=bot-allowance]"), "0 of 1 bots");
  await shoot("bots-empty");
});

test("the owner creates a bot on OpenAI without a key and sees why it answers extractively", async () => {
  await page.click("text=New bot");
  await page.waitForSelector("[data-testid=bot-form]");
  await page.fill("input[name=name]", "Relay Help");
  await page.fill("input[name=greeting]", "Hi! Ask me about Firefox Relay.");
  await page.selectOption("select[name=provider]", "openai");
  await page.waitForSelector("[data-testid=no-key]");
  assert.equal(await page.inputValue("input[name=model]"), "gpt-4o-mini");
  await page.fill("textarea[name=allowed_origins]", "HTTPS://Shop.Example.com:443");
  await shoot("bot-new");
  await page.click("[data-testid=save-bot]");
  await page.waitForURL(/\/app\/bots\/[0-9a-f-]{36}\/knowledge$/, { timeout: 15000 });
  state.botId = routeOf().split("/")[3];

  const login = await http(base, "POST", "/api/v1/auth/login", { body: owner });
  state.token = login.body.access_token;
  const bot = (await http(base, "GET", `/api/v1/bots/${state.botId}`, { token: state.token })).body;
  assert.equal(bot.name, "Relay Help");
  assert.equal(bot.provider.provider, "openai");
  assert.deepEqual(bot.allowed_origins, ["https://shop.example.com"]);
  assert.equal(bot.effective_answerer, "extractive");
  state.publicId = bot.public_id;
});

test("a knowledge file uploads with a moving progress bar and is listed with its chunks", async () => {
  const docs = faqDocs("relay");
  const markdown = docs.map((d) => `# ${d.title}\n\n${d.text}\n`).join("\n");
  // ~300 KB so that throttled upload takes a few hundred ms (the plan allows 1 MiB per bot).
  const body = (markdown + "\n").repeat(Math.max(1, Math.ceil(300_000 / markdown.length)));
  state.uploadBytes = Buffer.byteLength(body);

  // Record every progress value the page shows, and slow the upload down so there are several.
  await recordUploadProgress(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024,
  });
  await page.setInputFiles("[data-testid=file-input]", {
    name: "relay-faq.md", mimeType: "text/markdown", buffer: Buffer.from(body),
  });
  await page.waitForSelector("[data-testid=upload].done", { timeout: 30000 });
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  const progress = await uploadProgressSeen(page);
  assert.ok(progress.some((v) => v > 0 && v < 100), `a partial progress value was shown: ${progress.join(",")}`);
  assert.ok(progress.includes(100), "the bar reached 100 % before the server answered");

  const row = await page.waitForSelector("[data-testid=document-row]");
  assert.match(await row.textContent(), /relay-faq\.md/);
  const shownChunks = Number((await page.textContent("[data-testid=chunks]")).replace(/\D/g, ""));
  const listed = (await http(base, "GET", `/api/v1/bots/${state.botId}/knowledge`, { token: state.token })).body.documents;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].size_bytes, state.uploadBytes);
  assert.ok(listed[0].chunk_count > 1);
  assert.equal(shownChunks, listed[0].chunk_count);
  assert.match(await row.textContent(), /Ready/);

  await page.fill("[data-testid=paste-form] input[name=title]", "Opening hours");
  await page.fill("[data-testid=paste-form] textarea[name=body]", "We answer e-mails from 9:00 to 18:00 on weekdays.");
  await page.click("[data-testid=paste-form] button[type=submit]");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=document-row]").length === 2);
  const meter = await page.getAttribute("[data-testid=knowledge-meter] [role=progressbar]", "aria-valuenow");
  assert.ok(Number(meter) > state.uploadBytes, `knowledge meter counts both documents: ${meter}`);
  await shoot("knowledge");
});

test("a long knowledge base gets a title filter with a count; other file types are refused in words; sizes and dates stay on one line", async () => {
  // Six more short documents (8 in all: the filter appears from 8 on), removed again afterwards.
  const extra = [];
  for (const title of ["Parking", "Gift cards", "Returns", "Shipping", "Warranty", "Store hours"]) {
    const doc = await http(base, "POST", `/api/v1/bots/${state.botId}/knowledge`,
      { token: state.token, body: { title, format: "text", body: `${title}: ask at the front desk.` } });
    assert.equal(doc.status, 201, JSON.stringify(doc.body));
    extra.push(doc.body.id);
  }
  await page.click(".tabs >> text=Try it");
  await page.click(".tabs >> text=Knowledge");
  await page.waitForSelector("[data-testid=doc-filter]");
  // A dropped file of another type, or an empty one, is refused in the browser, in words.
  const posts = [];
  const onPost = (r) => { if (r.method() === "POST" && r.url().includes("/knowledge")) posts.push(r.url()); };
  page.on("request", onPost);
  await page.setInputFiles("[data-testid=file-input]", [
    { name: "price-list.docx", mimeType: "application/octet-stream", buffer: Buffer.from("PK\x03\x04") },
    { name: "empty.md", mimeType: "text/markdown", buffer: Buffer.alloc(0) },
  ]);
  await page.waitForSelector("[data-testid=upload].failed >> text=Only text, Markdown, HTML and PDF files can be added");
  await page.waitForSelector("[data-testid=upload].failed >> text=The file is empty.");
  page.off("request", onPost);
  assert.deepEqual(posts, [], "nothing was uploaded");
  assert.equal(await page.textContent("[data-testid=doc-count]"), "Documents: 8 of 8");
  await page.fill("input[name=doc-filter]", "HOURS");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=document-row]").length === 2);
  assert.deepEqual(await page.$$eval("[data-testid=document-row] .doc-title", (c) => c.map((e) => e.textContent).sort()),
    ["Opening hours", "Store hours"]);
  assert.equal(await page.textContent("[data-testid=doc-count]"), "Documents: 2 of 8");
  // "807 B" and "Nov 30, 2026, 11:23 AM" are never split over two lines.
  const wrapped = await page.$$eval("[data-testid=document-row] td.num, [data-testid=document-row] td.nowrap",
    (cells) => cells.filter((c) => c.getClientRects().length && getComputedStyle(c).whiteSpace !== "nowrap").length);
  assert.equal(wrapped, 0);
  await page.fill("input[name=doc-filter]", "hours  opening");  // every word, in any order
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=document-row]").length === 1);
  assert.equal(await page.textContent("[data-testid=document-row] .doc-title"), "Opening hours");
  await page.fill("input[name=doc-filter]", "no such title");
  await page.waitForSelector("[data-testid=doc-no-match] >> text=No document title contains all of “no such title”.");
  assert.equal(await page.locator("[data-testid=document-row]").count(), 0);
  await shoot("knowledge-filter");
  // At phone width rows are cards of "label  value" lines; a label never shrinks next to a long title.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.fill("input[name=doc-filter]", "");
  const shrinking = await page.$$eval("[data-testid=document-row] td[data-label]",
    (cells) => cells.filter((c) => getComputedStyle(c, "::before").flexShrink !== "0").length);
  assert.equal(shrinking, 0);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.fill("input[name=doc-filter]", "");
  for (const id of extra) {
    assert.equal((await http(base, "DELETE", `/api/v1/bots/${state.botId}/knowledge/${id}`, { token: state.token })).status, 204);
  }
  await page.click(".tabs >> text=Try it");
  await page.click(".tabs >> text=Knowledge");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=document-row]").length === 2);
  assert.equal(await page.locator("[data-testid=doc-filter]").count(), 0, "no filter for two documents");
});

test("try it: refused while the bot's allowed sites exclude the dashboard, then answers with sources", async () => {
  await page.click("text=Try it");
  await page.click("[data-testid=try-start]");
  const alert = await page.waitForSelector("[role=alert]");
  assert.match(await alert.textContent(), /allowed sites do not include this dashboard/);

  const modelStatus = page.waitForResponse((r) => r.url().endsWith("/model-status"));
  await page.click(".tabs >> text=Settings");
  await page.waitForSelector("[data-testid=bot-form]");
  assert.equal(await page.inputValue("textarea[name=allowed_origins]"), "https://shop.example.com");
  assert.equal((await modelStatus).status(), 200);  // no reply yet: "ok", so no warning and no last-reply line
  // Not a web address: said in the page's language before any request; a pasted page address
  // (path, query, trailing "/") is saved as its origin.
  const patches = [];
  const onPatch = (r) => { if (r.method() === "PATCH") patches.push(r.url()); };
  page.on("request", onPatch);
  await page.fill("textarea[name=allowed_origins]", "shop.example.com");
  await page.click("[data-testid=save-bot]");
  await page.waitForSelector("#origins-error >> text=“shop.example.com” is not a web site address.");
  assert.equal(await page.getAttribute("textarea[name=allowed_origins]", "aria-invalid"), "true");
  assert.deepEqual(patches, [], "nothing was sent");
  page.off("request", onPatch);
  await page.fill("textarea[name=allowed_origins]", "https://Shop.Example.com/contact?from=ad\nhttps://shop.example.com/");
  await page.click("[data-testid=save-bot]");
  await page.waitForSelector("[role=status] >> text=Saved");
  assert.equal(await page.inputValue("textarea[name=allowed_origins]"), "https://shop.example.com");
  await page.fill("textarea[name=allowed_origins]", "");
  await page.click("[data-testid=save-bot]");
  await page.waitForSelector("[role=status] >> text=Saved");
  assert.equal(await page.locator("[data-testid=model-degraded], [data-testid=model-last-reply]").count(), 0);
  await shoot("bot-settings");

  await page.click(".tabs >> text=Try it");
  await page.click("[data-testid=try-start]");
  await page.waitForSelector("[data-testid=msg-bot]", { timeout: 15000 });  // the greeting
  assert.match(await page.textContent("[data-testid=msg-bot]"), /Ask me about Firefox Relay/);
  await page.fill("#try-text", "Can I reply to emails sent to my mask?");
  await page.press("#try-text", "Enter");
  await page.waitForSelector("[data-testid=msg-bot] [data-testid=sources]", { timeout: 20000 });
  assert.match(await page.textContent("[data-testid=sources]"), /relay-faq\.md/);
  assert.equal(await page.locator("[data-testid=msg-visitor]").count(), 1);
  await shoot("try-it");
});

test("install: the embed line with this gateway and the bot's public id, Copy, and a live preview", async () => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await page.click(".tabs >> text=Install");
  await page.waitForURL(/\/install$/);
  const snippet = `<script src="${base}/widget.js" data-bot="${state.publicId}" async></script>`;
  await page.waitForSelector(`[data-testid=snippet] >> text=${state.publicId}`);
  assert.equal(await page.textContent("[data-testid=snippet]"), snippet);
  await page.click("[data-testid=copy-snippet]");
  await page.waitForSelector("[data-testid=copy-status] >> text=Copied to the clipboard.");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);
  assert.match(await page.textContent("[data-testid=install-origins]"), /Any web site may use this widget/);
  // The preview loads /widget.js in an iframe: open the bubble and see the greeting.
  const preview = page.frameLocator("[data-testid=preview]");
  await page.locator("[data-testid=preview]").scrollIntoViewIfNeeded();  // the bubble is fixed in the frame
  await preview.locator("button.launcher").click();
  await preview.locator(".msg-bot >> text=Ask me about Firefox Relay").waitFor({ timeout: 15000 });
  const frame = page.frames().find((f) => f.url().includes("/widget-preview.html"));
  await frame.addScriptTag({ path: AXE });  // axe-core checks the preview's frame too
  await shoot("install");
  await preview.locator("button.launcher").click();  // closed again for the pages after this
});

test("the bot list shows the effective answerer and its reason; a model key changes it", async () => {
  await page.click("nav >> text=Bots");
  await page.waitForSelector("[data-testid=bot-card]");
  assert.equal(await page.textContent("[data-testid=answerer]"), "Built-in (extractive) — no key for OpenAI is set");
  // Every step of a bot is one click from its card, putting it on the site included.
  assert.deepEqual(await page.$$eval("[data-testid=bot-card] .row a", (links) => links.map((a) => new URL(a.href).pathname.split("/").pop())),
    ["knowledge", "try", "install", state.botId]);
  await shoot("bots");

  // While the keys are loading the page says so, and does not claim "No key set" yet.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route("**/api/v1/provider-keys", async (route) => { await held; await route.continue(); });
  await page.click("nav >> text=Model keys");
  await page.waitForSelector("[data-testid=key-openai] [data-testid=key-state] >> text=Loading…");
  assert.equal(await page.locator("text=No key set").count(), 0, "no claim about the key before it is known");
  release();
  await page.waitForSelector("[data-testid=key-openai] >> text=No key set");
  await page.unroute("**/api/v1/provider-keys");
  await page.fill("[data-testid=key-openai] input[name=key]", "sk-test-dashboard-9xQz");
  await page.click("[data-testid=key-openai] button[type=submit]");
  await page.waitForSelector("[data-testid=key-openai] [data-testid=last-four]");
  assert.equal(await page.textContent("[data-testid=key-openai] [data-testid=last-four]"), "•••• 9xQz");
  const html = await page.content();
  assert.ok(!html.includes("sk-test-dashboard-9xQz"), "the key is not shown back");
  await shoot("keys");
  const bot = (await http(base, "GET", `/api/v1/bots/${state.botId}`, { token: state.token })).body;
  assert.equal(bot.effective_answerer, "openai");

  await page.click("[data-testid=key-openai] >> text=Delete");
  await page.click("dialog[open] [data-testid=confirm]");
  await page.waitForSelector("[data-testid=key-openai] >> text=No key set");
  const keys = (await http(base, "GET", "/api/v1/provider-keys", { token: state.token })).body.provider_keys;
  assert.deepEqual(keys, []);
});

test("plan and usage: usage bars count the real reply, plans side by side", async () => {
  // The try-it conversation above got one real reply.
  await page.click("nav >> text=Plan and usage");
  await page.waitForSelector("[data-testid=meter-replies]");
  const replies = page.locator("[data-testid=meter-replies] [role=progressbar]");
  assert.equal(await replies.getAttribute("aria-valuemax"), "100");
  assert.ok(Number(await replies.getAttribute("aria-valuenow")) >= 1, "the reply is counted");
  assert.equal(await page.getAttribute("[data-testid=meter-bots] [role=progressbar]", "aria-valuenow"), "1");
  assert.equal(await page.getAttribute("[data-testid=meter-tokens] [role=progressbar]", "aria-valuemax"), "200000");
  assert.equal(await page.locator(".plans > li").count(), 4);
  await page.waitForSelector("[data-testid=usage-chart] canvas[role=img]");  // Chart.js, loaded lazily
  assert.equal(await page.locator("[data-testid=usage-table]").count(), 0, "extractive replies use no tokens: no rows");
  // Says why the counted reply is not drawn: the built-in answerer's replies use no model tokens.
  assert.match(await page.textContent("[data-testid=usage-chart] figcaption"),
    /No replies written by a model \(OpenAI, Gemini\)[\s\S]*built-in answerer count toward your plan above/);

  // Model-token rows as channel-connector records them for OpenAI/Gemini replies (RecordTokenUsage
  // is internal gRPC; a fixture in its table stands in): the chart draws one bar per day.
  const tenant = (await http(base, "GET", "/api/v1/users/me", { token: state.token })).body.tenant_id;
  for (const [ago, replies, tokens] of [[0, 4, 5200], [1, 9, 11800], [3, 2, 2600]]) {
    fleet.psql(`INSERT INTO billing.token_usage_daily (tenant_id, bot_id, day, replies, prompt_tokens, completion_tokens)
      VALUES ('${tenant}', '${state.botId}', (now() AT TIME ZONE 'UTC')::date - ${ago}, ${replies}, ${tokens - 400}, 400)`);
  }
  await page.reload();
  await page.waitForSelector("[data-testid=usage-table]", { state: "attached" });
  assert.equal(await page.locator("[data-testid=usage-table] tbody tr").count(), 3, "one table row per day with usage");
  assert.match(await page.textContent("[data-testid=usage-table] thead"), /Relay Help/);
  assert.match(await page.getAttribute("[data-testid=usage-chart] canvas", "aria-label"), /Bot replies per day over \d+ days: 15 in total/);
  assert.ok(await barPixels() > 50, "Chart.js drew the bars");
  assert.match(await page.textContent("[data-testid=usage-chart] figcaption"), /Relay Help/);
  await page.click("[aria-pressed=false] >> text=Model tokens");
  await page.waitForSelector("[data-testid=usage-table] >> text=11,800", { state: "attached" });
  assert.match(await page.getAttribute("[data-testid=usage-chart] canvas", "aria-label"), /Model tokens per day over \d+ days: 19,600 in total/);
  await page.click("[data-testid=usage-chart] summary");  // the table, visible for the screenshot
  await shoot("plan");
});

test("the UI switches to Russian and Uzbek, and the choice survives a reload", async () => {
  await page.selectOption("[data-testid=language]", "ru");
  await page.waitForSelector("h1 >> text=Тариф и расход");
  assert.equal(await page.getAttribute("html", "lang"), "ru");
  assert.equal(await page.textContent("nav >> a[href='/app/bots']"), "Боты");
  assert.match(await page.textContent("[data-testid=meter-replies]"), /Ответы ботов/);
  await shoot("plan-ru");
  await openNavAtPhoneWidth(page);  // Russian's links do not fit beside the brand at 1280 px: the Menu button
  await page.click("nav >> text=Боты");
  await page.waitForSelector("[data-testid=bot-card]");
  assert.match(await page.textContent("[data-testid=answerer]"), /Встроенный/);
  await shoot("bots-ru");

  await page.selectOption("[data-testid=language]", "uz");
  await page.waitForSelector("h1 >> text=Botlar");
  await page.reload();
  await page.waitForSelector("h1 >> text=Botlar");
  assert.equal(await page.getAttribute("html", "lang"), "uz");
  await page.click(`a[href='/app/bots/${state.botId}/knowledge']`);
  await page.waitForSelector("h1 >> text=Bilimlar bazasi");
  assert.match(await page.textContent("[data-testid=documents] thead"), /Boʻlaklar/);
  await shoot("knowledge-uz");
  await openNavAtPhoneWidth(page);  // opens the Menu when the links do not fit one row
  await page.click("nav >> text=Tarif va sarf");
  await page.waitForSelector("[data-testid=meter-replies] >> text=Bot javoblari");
  assert.match(await page.textContent("[data-testid=meter-tokens]"), /0 \/ 200\s000/, "Uzbek digit grouping");
  assert.match(await page.textContent("[data-testid=current-plan]"),
    /\d{1,2}-(yanvar|fevral|mart|aprel|may|iyun|iyul|avgust|sentabr|oktabr|noyabr|dekabr), \d{4}/, "Uzbek dates");
  await shoot("plan-uz");
  await page.selectOption("[data-testid=language]", "en");
  await page.waitForSelector("h1 >> text=Plan and usage");
});

test("channels: a Telegram bot is checked, connected with polling, shows its health, and is disconnected", async () => {
  await page.click("nav >> text=Channels");
  await page.waitForSelector("[data-testid=overview-bot]");
  assert.match(await page.textContent("[data-testid=overview-bot]"), /Relay Help[\s\S]*No channel connected yet/);
  await shoot("channels-overview");
  await page.click("[data-testid=overview-bot] >> text=Manage channels");
  await page.waitForSelector("[data-testid=connect-form]");
  assert.equal(routeOf(), `/app/bots/${state.botId}/channels`);
  assert.equal(await page.getAttribute(".tabs >> text=Channels", "aria-current"), "page");
  assert.equal(await page.textContent("[data-testid=channel-allowance]"), "0 of 1 channels");
  await shoot("channels-empty");

  // Checked in the browser first: nothing reaches the server (or Telegram) for a malformed token.
  const getMeCalls = () => telegram.calls.filter((c) => c.method === "getMe").length;
  const callsBefore = getMeCalls();
  await page.fill("[data-testid=connect-form] input[name=token]", "not-a-token");
  await page.click("[data-testid=connect]");
  await page.waitForSelector("#ch-token-error");
  assert.match(await page.textContent("#ch-token-error"), /not a Telegram bot token/);
  assert.equal(await page.getAttribute("input[name=token]", "aria-invalid"), "true");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "token", "focus on the bad field");
  assert.equal(getMeCalls(), callsBefore);

  // Well-formed but refused by Telegram's getMe: the API's reason is shown.
  await page.fill("input[name=token]", "987654321:AAHsomebodyElsesTokenXYZ");
  await page.click("[data-testid=connect]");
  const refused = await page.waitForSelector("[data-testid=connect-error]");
  assert.match(await refused.textContent(), /^Refused: Telegram refused the bot token \(getMe: 401/);
  assert.ok(telegram.calls.some((c) => c.method === "getMe" && c.status === 401));

  // WhatsApp fields are checked too (digits only for the phone number id).
  await page.check("input[name=type][value=whatsapp]");
  await page.fill("input[name=phone_number_id]", "+998 90 123");
  await page.click("[data-testid=connect]");
  await page.waitForSelector("#ch-phone_number_id-error >> text=Use digits only");
  assert.equal(await page.locator("#ch-access_token-error >> text=Please fill this in.").count(), 1);
  await page.check("input[name=type][value=telegram]");

  await page.fill("input[name=token]", GOOD_TOKEN);
  await page.check("input[name=mode][value=polling]");
  await page.click("[data-testid=connect]");
  const card = await page.waitForSelector("[data-testid=channel-card]", { timeout: 15000 });
  assert.match(await card.textContent(), /Telegram · @?relay_help_bot/);
  assert.equal(await page.textContent("[data-testid=credentials-hint]"), `•••• ${GOOD_TOKEN.slice(-4)}`);
  assert.ok(!(await page.content()).includes(GOOD_TOKEN), "the token is not shown back");
  assert.equal(await page.textContent("[data-testid=channel-allowance]"), "1 of 1 channels");
  assert.equal(await page.locator("[data-testid=connect-form]").count(), 0, "the plan allows one channel: no form");
  assert.equal(await page.textContent("[data-testid=last-inbound]"), "Never yet");

  // A customer writes; Telegram refuses the bot's reply: health shows both after a refresh.
  telegram.failNext(GOOD_TOKEN, { status: 400, description: "Bad Request: chat not found" });
  telegram.queueUpdate(GOOD_TOKEN, {
    message: { message_id: 1, date: Math.floor(Date.now() / 1000), text: "Can I reply to emails sent to my mask?",
      from: { id: 4242, is_bot: false, first_name: "Dilnoza" }, chat: { id: 4242, type: "private", first_name: "Dilnoza" } },
  });
  const deadline = Date.now() + 30000;
  let health;
  for (;;) {
    const listed = (await http(base, "GET", `/api/v1/bots/${state.botId}/channels`, { token: state.token })).body.channels;
    health = listed[0].health;
    if (health.last_inbound_at && health.last_delivery_error) break;
    assert.ok(Date.now() < deadline, `health never showed the inbound update and the refused reply: ${JSON.stringify(health)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.ok(telegram.calls.some((c) => c.method === "sendMessage" && String(c.params.chat_id) === "4242"),
    "the bot answered through sendMessage");
  await page.click("text=Refresh");
  await page.waitForFunction(() => document.querySelector("[data-testid=last-inbound]")?.textContent !== "Never yet");
  assert.match(await page.textContent("[data-testid=last-delivery-error]"), /sendMessage: 400 .*chat not found/);
  assert.equal(await page.getAttribute("[data-testid=channel-state]", "data-state"), health.state === "connected" ? "connected" : health.state);
  assert.match(await page.textContent("[data-testid=channel-card]"), /BotFactory fetches messages from Telegram itself/);
  // The undelivered message is listed with Telegram's reason, and sent again once the cause is gone.
  assert.equal(await page.textContent("[data-testid=failed-count]"), "1");
  await page.click("[data-testid=show-failed]");
  await page.waitForSelector("[data-testid=delivery-row]");
  assert.match(await page.textContent("[data-testid=delivery-row]"), /4242[\s\S]*chat not found/);
  await shoot("channels-failed");
  await page.click("[data-testid=replay]");  // failNext was one refusal: this time it goes out
  await page.waitForSelector("[data-testid=failed-deliveries] [role=status] >> text=1 message(s) queued to be sent again.");
  const until = Date.now() + 15000;
  while (telegram.sent(GOOD_TOKEN, 4242).length === 0) {
    assert.ok(Date.now() < until, "the replayed message went out to Telegram again");
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(await page.locator("[data-testid=delivery-row]").count(), 0, "nothing is failed any more");
  for (const until2 = Date.now() + 10000; (await page.textContent("[data-testid=last-delivery-error]")) !== "None";) {
    assert.ok(Date.now() < until2, "the delivery error clears once the message is delivered");
    await page.click("text=Refresh");
    await page.waitForTimeout(300);
  }
  assert.equal(await page.textContent("[data-testid=failed-count]"), "0");
  await shoot("channels");

  await page.selectOption("[data-testid=language]", "ru");
  await page.waitForSelector("h1 >> text=Каналы");
  assert.match(await page.textContent("[data-testid=channel-state]"), /Подключён|Ошибка|Неактивен/);
  assert.match(await page.textContent("[data-testid=channel-card]"), /Последняя ошибка доставки/);
  await shoot("channels-ru");
  await page.selectOption("[data-testid=language]", "uz");
  await page.waitForSelector("h1 >> text=Kanallar");
  assert.match(await page.textContent("[data-testid=channel-card]"), /Oxirgi yetkazish xatosi/);
  assert.match(await page.textContent("[data-testid=last-inbound]"),
    /\d{1,2}-(yanvar|fevral|mart|aprel|may|iyun|iyul|avgust|sentabr|oktabr|noyabr|dekabr), \d{4}, \d\d:\d\d/, "Uzbek date and time");
  await shoot("channels-uz");
  await page.selectOption("[data-testid=language]", "en");
  await page.waitForSelector("h1 >> text=Channels");

  // Disconnect asks first; Cancel keeps the channel.
  await page.click("[data-testid=disconnect]");
  await page.waitForSelector("dialog[open] >> text=/Disconnect @?relay_help_bot\\?/");
  await shoot("channels-disconnect");
  await page.click("dialog[open] >> text=Cancel");
  assert.equal(await page.locator("[data-testid=channel-card]").count(), 1);
  await page.click("[data-testid=disconnect]");
  await page.click("dialog[open] [data-testid=confirm]");
  await page.waitForSelector("[data-testid=no-channels]");
  await page.waitForSelector("[data-testid=connect-form]");
  const left = (await http(base, "GET", `/api/v1/bots/${state.botId}/channels`, { token: state.token })).body.channels;
  assert.deepEqual(left, []);
});

test("channels: a WhatsApp number shows the Callback URL and the verify-token reminder for Meta", async () => {
  const secrets = { access_token: META_TOKEN, app_secret: "4f2cdashboardappsecret", verify_token: "verify-dash-7b1e" };
  await page.check("input[name=type][value=whatsapp]");
  await page.fill("input[name=phone_number_id]", PHONE_NUMBER_ID);
  for (const [field, value] of Object.entries(secrets)) await page.fill(`input[name=${field}]`, value);
  // Checked with the Graph API first: a token Meta does not know is refused with Meta's reason.
  await page.fill("input[name=access_token]", "EAAGsomebodyElsesToken");
  await page.click("[data-testid=connect]");
  assert.match(await (await page.waitForSelector("[data-testid=connect-error]")).textContent(),
    /^Refused: the Graph API refused the access token/);
  await page.fill("input[name=access_token]", META_TOKEN);
  await page.click("[data-testid=connect]");
  await page.waitForSelector("[data-testid=channel-card][data-type=whatsapp]", { timeout: 15000 });
  const url = await page.textContent("[data-testid=webhook-url]");
  assert.match(url, /^https:\/\/bots\.example\.com\/webhooks\/whatsapp\/[0-9a-f-]{36}$/);
  assert.match(await page.textContent("[data-testid=webhook-setup]"), /WhatsApp → Configuration → Webhook[\s\S]*Verify token: enter exactly/);
  assert.equal(await page.textContent("[data-testid=credentials-hint]"), "•••• W4bz");
  const html = await page.content();
  for (const value of Object.values(secrets)) assert.ok(!html.includes(value), "no credential is shown back");
  await shoot("channels-whatsapp");
  await page.click("[data-testid=disconnect]");
  await page.click("dialog[open] [data-testid=confirm]");
  await page.waitForSelector("[data-testid=no-channels]");
});

test("an unusable access token is refreshed once for many parallel calls, invisibly", async () => {
  const key = "botfactory.dashboard.session";
  const before = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), key));
  // A forged access token that still looks fresh: every call gets 401 and must refresh.
  await page.evaluate(([k, s]) => localStorage.setItem(k, JSON.stringify(s)),
    [key, { ...before, access: "not.a.token", accessExpiresAt: Date.now() + 600_000 }]);
  const refreshes = [];
  const onRequest = (r) => { if (r.url().endsWith("/api/v1/auth/refresh")) refreshes.push(r); };
  page.on("request", onRequest);
  await page.click("nav >> text=Bots");  // GET /bots and GET /subscriptions/current at once
  await page.waitForSelector("[data-testid=bot-card]");
  await page.waitForSelector("[data-testid=bot-allowance]");
  await page.click("nav >> text=Plan and usage");  // four more calls with the new token
  await page.waitForSelector("[data-testid=meter-replies]");
  await page.waitForLoadState("networkidle");
  page.off("request", onRequest);
  assert.equal(refreshes.length, 1, "one refresh for all the 401s (single-flight)");
  const after = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), key));
  assert.notEqual(after.refresh, before.refresh, "the refresh token was rotated");
  assert.notEqual(after.access, "not.a.token");
  assert.equal(routeOf(), "/app/plan", "still signed in, still on the page");
  state.lastRefresh = after.refresh;
});

test("a bot is deleted only after confirmation", async () => {
  await page.click("nav >> text=Bots");
  await page.waitForSelector("[data-testid=bot-card]");
  await page.click("[data-testid=bot-card] >> text=Delete");
  await page.waitForSelector("dialog[open]");
  await shoot("bot-delete");
  await page.click("dialog[open] >> text=Cancel");
  assert.equal(await page.locator("[data-testid=bot-card]").count(), 1);
  await page.click("[data-testid=bot-card] >> text=Delete");
  await page.click("dialog[open] [data-testid=confirm]");
  await page.waitForSelector("text=You have no bots yet");
  const bots = (await http(base, "GET", "/api/v1/bots", { token: state.token })).body.bots;
  assert.equal(bots.length, 0);
});

test("choosing a plan asks first, then applies its limits", async () => {
  await page.click("nav >> text=Plan and usage");
  await page.click("[data-testid=plan-starter] >> text=Choose this plan");
  await page.waitForSelector("dialog[open] >> text=Switch to Starter?");
  await page.click("dialog[open] [data-testid=confirm]");
  await page.waitForSelector("[data-testid=current-plan] >> text=Current plan: Starter");
  assert.equal(await page.getAttribute("[data-testid=meter-replies] [role=progressbar]", "aria-valuemax"), "2000");
  assert.match(await page.textContent("[data-testid=plan-starter]"), /Your plan/);
  const sub = (await http(base, "GET", "/api/v1/subscriptions/current", { token: state.token })).body;
  assert.equal(sub.plan.code, "starter");
  assert.equal(sub.status, "active");
});

test("signing out revokes the refresh token and returns to sign-in", async () => {
  // The page forgets its tokens first and then revokes: wait for the revocation's answer.
  const logout = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/logout"));
  await page.click("[data-testid=sign-out]");
  assert.equal((await logout).status(), 204);
  await page.waitForURL(/\/app\/signin$/);
  assert.equal(await page.evaluate(() => localStorage.getItem("botfactory.dashboard.session")), null);
  const reuse = await http(base, "POST", "/api/v1/auth/refresh", { body: { refresh_token: state.lastRefresh } });
  assert.equal(reuse.status, 401);
  assert.deepEqual(state.pageErrors ?? [], [], "no uncaught errors in the page");
});

test("keyboard only: skip link first, then sign in with Tab, typing and Enter", async () => {
  await page.goto(`${base}/app/signin`);
  await page.waitForSelector("input[name=email]");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.className), "skip", "the skip link comes first");
  let presses = 0;
  while (await page.evaluate(() => document.activeElement?.getAttribute("name")) !== "email") {
    await page.keyboard.press("Tab");
    assert.ok(++presses < 8, "the e-mail field is reachable with Tab");
  }
  await page.keyboard.type(owner.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(owner.password);
  await page.keyboard.press("Enter");
  await page.waitForSelector("text=You have no bots yet", { timeout: 15000 });
  const outline = await page.evaluate(() => {
    document.querySelector("a.nav-item")?.focus();
    return getComputedStyle(document.activeElement).boxShadow;
  });
  assert.notEqual(outline, "none", "focus is visible");
});

test("phones get a Menu disclosure button for the navigation; wide screens keep the link row", async () => {
  const toggle = page.locator("[data-testid=nav-toggle]");
  const links = page.locator("nav.nav a.nav-item");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/app/bots`);
  await toggle.waitFor({ state: "visible" });
  assert.equal(await links.first().isVisible(), false, "links are hidden behind the button at 390 px");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.equal(await toggle.getAttribute("aria-controls"), await page.getAttribute("nav.nav", "id"));
  assert.equal(await toggle.evaluate((e) => e.tagName), "BUTTON");
  assert.match(await toggle.textContent(), /^Menu · Bots$/, "the button names the current page");
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  assert.equal(await links.count(), 8);  // hooks: + Webhooks
  for (let i = 0; i < 8; i += 1) assert.ok(await links.nth(i).isVisible(), `link ${i} visible when open`);
  const xs = await links.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().left));
  assert.ok(xs.every((x) => x === xs[0]), "the open menu is a vertical list");
  await page.click("nav.nav >> text=Inbox");
  await page.waitForURL(/\/app\/inbox$/);
  assert.equal(await toggle.getAttribute("aria-expanded"), "false", "choosing a link closes the menu");
  assert.equal(await links.first().isVisible(), false);
  assert.match(await toggle.textContent(), /Menu · Inbox/);
  // Escape closes and gives focus back to the button; the focus ring is visible.
  await openNavAtPhoneWidth(page);
  await links.nth(2).focus();
  await page.keyboard.press("Escape");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "nav-toggle");
  await page.keyboard.press("Enter");
  assert.equal(await toggle.getAttribute("aria-expanded"), "true", "Enter on the focused button opens it");
  assert.notEqual(await toggle.evaluate((e) => getComputedStyle(e).boxShadow), "none", "focus is visible");
  // A route change from elsewhere closes it too.
  await page.evaluate(() => { history.pushState(null, "", "/app/keys"); dispatchEvent(new PopStateEvent("popstate")); });
  await page.waitForSelector("[data-testid=nav-toggle][aria-expanded=false]");

  // Russian, open: no English left, no sideways scrolling, axe clean; the docs' picture.
  await page.selectOption("[data-testid=language]", "ru");
  await page.waitForFunction(() => document.documentElement.lang === "ru");
  await openNavAtPhoneWidth(page);
  assert.match(await toggle.textContent(), /^Меню · /);
  assert.equal((await horizontalOverflow(page)).by, 0, "the open menu scrolls sideways at 390 px");
  assert.deepEqual(await untranslatedTexts(page, dashboardCatalogue("en"), dashboardCatalogue("ru")), [], "English left with the ru menu open");
  assert.deepEqual(await axeViolations(page), [], "axe-core with the menu open");
  await page.screenshot({ path: path.join(SHOTS, "dashboard-menu-ru-390.png") });
  const docsImg = path.join(repoRoot, "docs/img/dashboard-menu-ru-390.png");
  if (!existsSync(docsImg) || process.env.UPDATE_DOCS_IMG === "1") copyFileSync(path.join(SHOTS, "dashboard-menu-ru-390.png"), docsImg);
  await page.keyboard.press("Escape");
  await page.selectOption("[data-testid=language]", "en");
  await page.waitForFunction(() => document.documentElement.lang === "en");

  // Wide screens: no button, the link row as before.
  await page.setViewportSize({ width: 1280, height: 900 });
  await framesSettled(page);
  assert.equal(await toggle.isVisible(), false);
  for (let i = 0; i < 7; i += 1) assert.ok(await links.nth(i).isVisible(), `link ${i} visible at 1280 px`);
  await openNavAtPhoneWidth(page);  // a no-op here
  await page.click("nav.nav >> text=Inbox");
  await page.waitForURL(/\/app\/inbox$/);
});

test("641 to 1280 px: the header is one row, the links when they fit there, else the Menu button (ru, en)", async () => {
  const toggle = page.locator("[data-testid=nav-toggle]");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/app/bots`);
  await page.waitForSelector("nav.nav a.nav-item");
  for (const lang of ["ru", "en"]) {
    await page.selectOption("[data-testid=language]", lang);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    for (const width of [1280, 1024, 800, 641]) {
      await page.setViewportSize({ width, height: 800 });
      await framesSettled(page);
      const header = await headerLayout(page);
      const where = `${lang} at ${width} px: ${JSON.stringify(header)}`;
      assert.ok(header.toggle !== (header.links > 0), `either the links or the Menu button: ${where}`);
      if (!header.toggle) assert.equal(header.linkLines, 1, `the links on one line: ${where}`);
      if (width >= 800) assert.ok(header.oneRow, `the header is one row: ${where}`);
      const overflow = await horizontalOverflow(page);
      assert.equal(overflow.by, 0, `sideways scrolling, ${where}: ${overflow.sticking.join(", ")}`);
      if (width === 1024 || width === 800) {
        assert.deepEqual(await axeViolations(page), [], `axe-core, ${where}`);
        if (header.toggle) {  // the menu opens as a list under the header, in the page's width
          await toggle.click();
          await page.locator("nav.nav a.nav-item").first().waitFor({ state: "visible" });
          assert.equal((await horizontalOverflow(page)).by, 0, `the open menu scrolls sideways, ${where}`);
          assert.deepEqual(await axeViolations(page), [], `axe-core with the menu open, ${where}`);
          await page.keyboard.press("Escape");
          await page.waitForSelector("[data-testid=nav-toggle][aria-expanded=false]");
        }
      }
      await page.evaluate(() => document.activeElement?.blur());  // no focus ring in the pictures
      await page.screenshot({ path: path.join(SHOTS, `dashboard-nav-${lang}-${width}.png`) });
      if (lang === "ru" && width === 1024) {
        assert.deepEqual(await untranslatedTexts(page, dashboardCatalogue("en"), dashboardCatalogue("ru")), [], "English left in the ru header");
        const docsImg = path.join(repoRoot, "docs/img/dashboard-nav-ru-1024.png");
        if (!existsSync(docsImg) || process.env.UPDATE_DOCS_IMG === "1") copyFileSync(path.join(SHOTS, "dashboard-nav-ru-1024.png"), docsImg);
      }
    }
  }
  // English at 1280 px has the room for every link (the row the wide-screen test above clicks).
  await page.setViewportSize({ width: 1280, height: 900 });
  await framesSettled(page);
  assert.equal((await headerLayout(page)).toggle, false, "en at 1280 px: the link row");
});
