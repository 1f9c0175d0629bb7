// The whole owner's journey of issue 9 in headless Debian Chromium against one real fleet, once
// per UI language (en, ru, uz; each its own new account, the language chosen with the dashboard's
// switcher on the sign-in page): sign up → create a bot → upload a knowledge file (progress bar,
// document Ready) → try it (answer with sources) → Install: copy the snippet from the page and put
// it into a page of a local HTTP server on another origin, whose origin is added to the bot's
// allowed sites in Settings → a visitor chats in the widget there → the conversation appears in
// the Inbox live → the operator takes over and replies → the visitor sees the person state and the
// reply → hand back → the bot answers again. axe-core finds no serious or critical violation on
// any dashboard page visited; each page is photographed at 1280 px and 375 px to
// build/screenshots/journey-<lang>-<page>-<width>.png, fits a 390 px phone without horizontal
// scrolling, and (ru, uz) shows no English catalogue string. No console error, no failed static
// asset (the favicon), generated guest names in the UI language, no emoji icon in the inbox.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  AXE, SHOTS, dashboardCatalogue, horizontalOverflow, launchChromium, openNavAtPhoneWidth, recordUploadProgress, serveSite, shootAndCheck,
  untranslatedTexts, uploadProgressSeen,
} from "./browser_support.mjs";
import { faqDocs, startFleet } from "./harness.mjs";

/** Per language: the widget's state texts (web/widget/i18n.ts) and a question its knowledge answers. */
const LANGS = {
  en: { question: "How can I get the Common Voice data?", again: "Why is my language not included yet?",
    widget: { bot: "The bot answers", person: "A person is answering" }, reply: "Hello, a person here. The data is on the datasets page." },
  ru: { question: "Как я могу получить данные Common Voice?", again: "Почему мой язык ещё не добавлен?",
    widget: { bot: "Отвечает бот", person: "Отвечает сотрудник" }, reply: "Здравствуйте, это сотрудник. Данные на странице наборов." },
  uz: { question: "Qanday qilib Common Voice maʼlumotlarini olishim mumkin?", again: "Mening ona tilim nega haligacha qoʻshilmagan?!",
    widget: { bot: "Bot javob bermoqda", person: "Xodim javob bermoqda" }, reply: "Salom, men xodimman. Maʼlumotlar sahifada." },
};

let fleet;
let base;
let browser;
let site;
/** Snippets copied from the Install page, by the test page's path ("/en", "/ru", "/uz"). */
const snippets = new Map();
const pageErrors = [];

/**
 * The owner's own web site on another origin (its own loopback port): GET /<lang> answers a page
 * with the snippet copied for that language's bot pasted into it.
 */
function startSite() {
  return serveSite((req, res) => {
    const snippet = snippets.get(req.url);
    if (!snippet) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title></head>
<body><h1>Our shop</h1><p>Questions? Ask the chat.</p>
${snippet}
</body></html>`);
  });
}

before(async () => {
  fleet = await startFleet();
  [base] = fleet.gateways;
  site = await startSite();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  fleet?.stop();
  await site?.close();
});

/**
 * The dashboard page photographed at 1280 and 375 px (journey-<lang>-<name>-<width>.png),
 * axe-checked; at a 390 px phone it has no horizontal scrolling, and in ru / uz no visible text is
 * an English catalogue string.
 */
async function shoot(page, lang, name) {
  await shootAndCheck(page, `journey-${lang}-${name}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);  // layout settles after the resize
  const overflow = await horizontalOverflow(page);
  assert.equal(overflow.by, 0, `${lang} ${name} scrolls sideways at 390 px: ${overflow.sticking.join(", ")}`);
  if (lang !== "en") {
    assert.deepEqual(await untranslatedTexts(page, dashboardCatalogue("en"), dashboardCatalogue(lang)), [], `English left on the ${lang} ${name} page`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/**
 * Records on `errors` what a new user must never meet: uncaught exceptions, console errors other
 * than the browser's "Failed to load resource" line of an API answer (4xx answers are the API
 * speaking), and any static file (page, script, style, icon) answered with an error status.
 */
function watchErrors(page, label, errors) {
  page.on("pageerror", (e) => errors.push(`${label}: ${e}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`${label} console: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith("/api/")) errors.push(`${label}: ${r.status()} ${r.url()}`);
  });
}

/** The knowledge file for `lang`: the Mozilla FAQ of that language as Markdown, ~160 KB. */
function knowledgeFile(lang) {
  const docs = faqDocs("commonvoice", lang);
  const markdown = docs.map((d) => `# ${d.title}\n\n${d.text}\n`).join("\n");
  // Repeated to ~160 KB: the throttled upload then takes long enough to show partial progress.
  return Buffer.from(`${markdown}\n`.repeat(Math.max(1, Math.ceil(160_000 / Buffer.byteLength(markdown)))));
}

/** Playwright's CSS selectors pierce open shadow roots: `w(".panel")` is inside the widget. */
const w = (selector) => `[data-botfactory-widget] >> ${selector}`;

for (const [lang, L] of Object.entries(LANGS)) {
  test(`the whole journey in ${lang}`, async () => {
    const T = dashboardCatalogue(lang);
    const owner = { email: `owner-${lang}@journey.example`, username: `journey_${lang}`, password: `journey-pass-${lang}-2026` };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const page = await context.newPage();
    watchErrors(page, `${lang} dashboard`, pageErrors);
    const routeOf = () => new URL(page.url()).pathname;

    // Sign-in page in English first; the switcher turns it into the chosen language.
    await page.goto(`${base}/app/`);
    await page.waitForSelector("h1");
    assert.equal(routeOf(), "/app/signin");
    if (lang !== "en") {
      assert.equal(await page.textContent("h1"), dashboardCatalogue("en").auth.signInTitle);
      await page.selectOption("[data-testid=language]", lang);
    }
    await page.waitForSelector(`h1 >> text=${T.auth.signInTitle}`);
    assert.equal(await page.getAttribute("html", "lang"), lang);
    await shoot(page, lang, "signin");

    // Sign up.
    await page.click("main a[href='/app/signup']");
    await page.waitForSelector(`h1 >> text=${T.auth.signUpTitle}`);
    await page.fill("input[name=email]", owner.email);
    await page.fill("input[name=username]", owner.username);
    await page.fill("input[name=password]", owner.password);
    await shoot(page, lang, "signup");
    await page.click("button[type=submit]");
    await page.waitForSelector(`text=${T.bots.empty}`, { timeout: 15000 });
    assert.equal(routeOf(), "/app/bots");
    assert.equal(await page.textContent("h1"), T.bots.title);
    await shoot(page, lang, "bots-empty");

    // Create a bot speaking this language (built-in extractive answerer, the default).
    await page.click("main a[href='/app/bots/new']");
    await page.waitForSelector("[data-testid=bot-form]");
    assert.equal(await page.textContent("h1"), T.bots.newTitle);
    await page.fill("input[name=name]", `Voice Help ${lang}`);
    await page.fill("input[name=greeting]", `Greeting ${lang}: ask about Common Voice.`);
    await page.selectOption("select[name=language]", lang);
    await shoot(page, lang, "bot-new");
    await page.click("[data-testid=save-bot]");
    await page.waitForURL(/\/app\/bots\/[0-9a-f-]{36}\/knowledge$/, { timeout: 15000 });
    const botId = routeOf().split("/")[3];

    // Try it before any document says why the bot cannot answer yet and links to the knowledge base.
    await page.click(`.tabs >> text=${T.try.tab}`);
    await page.waitForSelector(`[data-testid=try-no-knowledge] >> text=${T.try.noKnowledge}`);
    await page.click(`[data-testid=try-no-knowledge] >> text=${T.try.addKnowledge}`);
    await page.waitForURL(/\/knowledge$/);
    // The upload hint names the trial's 1 MB knowledge size, not the gateway's 8 MB upload cap.
    await page.waitForFunction((mb) => new RegExp(`(^|\\D)1 ${mb} `).test(document.querySelector("[data-testid=upload-hint]")?.textContent ?? ""),
      T.units.mb, { timeout: 10000 });

    // Upload a knowledge file; the bar moves (the upload is throttled) and the document is Ready.
    await page.waitForSelector(`h1 >> text=${T.knowledge.title}`);
    await recordUploadProgress(page);
    const file = knowledgeFile(lang);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024,
    });
    await page.setInputFiles("[data-testid=file-input]", { name: `voice-${lang}.md`, mimeType: "text/markdown", buffer: file });
    await page.waitForSelector("[data-testid=upload].done", { timeout: 30000 });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
    });
    const progress = await uploadProgressSeen(page);
    assert.ok(progress.some((v) => v > 0 && v < 100), `a partial progress value was shown: ${progress.join(",")}`);
    assert.ok(progress.includes(100), "the bar reached 100 %");
    const row = page.locator("[data-testid=document-row]");
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(`voice-${lang}\\.md[\\s\\S]*${T.knowledge.ready}`));
    assert.ok(Number((await page.textContent("[data-testid=chunks]")).replace(/\D/g, "")) > 1, "chunked");
    await shoot(page, lang, "knowledge");

    // Try it: the greeting, then an answer with the file as its source.
    await page.click(`.tabs >> text=${T.try.tab}`);
    await page.waitForSelector(`h1 >> text=${T.try.title}`);
    await page.click("[data-testid=try-start]");
    await page.waitForSelector(`[data-testid=msg-bot] >> text=Greeting ${lang}`, { timeout: 15000 });
    await page.fill("#try-text", L.question);
    await page.press("#try-text", "Enter");
    await page.waitForSelector("[data-testid=msg-bot] [data-testid=sources]", { timeout: 20000 });
    assert.match(await page.textContent("[data-testid=sources]"), new RegExp(`voice-${lang}\\.md`));
    assert.equal(await page.locator("[data-testid=try-no-knowledge]").count(), 0, "no empty-knowledge note with a document");
    assert.equal(await page.locator("[data-testid=msg-visitor]").count(), 1);
    await shoot(page, lang, "try-it");

    // Install: the snippet read from the page, copied, pasted into the owner's site.
    await page.click(`.tabs >> text=${T.install.tab}`);
    await page.waitForSelector(`h1 >> text=${T.install.title}`);
    await page.waitForSelector(`[data-testid=snippet] >> text=${base}/widget.js`);
    const snippet = await page.textContent("[data-testid=snippet]");
    assert.match(snippet, new RegExp(`^<script src="${base}/widget\\.js" data-bot="[^"]+" async></script>$`));
    await page.click("[data-testid=copy-snippet]");
    await page.waitForSelector(`[data-testid=copy-status] >> text=${T.install.copied}`);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);
    snippets.set(`/${lang}`, snippet);
    assert.equal(await page.textContent("[data-testid=install-origins] p"), T.install.originsAny);

    // Allowed sites (Settings, linked from Install): the owner's site and this dashboard.
    await page.click(`[data-testid=install-origins] >> text=${T.install.originsEdit}`);
    await page.waitForSelector("[data-testid=bot-form]");
    assert.equal(routeOf(), `/app/bots/${botId}`);
    await page.fill("textarea[name=allowed_origins]", `${site.origin}\n${base}`);
    await page.click("[data-testid=save-bot]");
    await page.waitForSelector(`[role=status] >> text=${T.common.saved}`);
    await shoot(page, lang, "bot-settings");
    await page.click(`.tabs >> text=${T.install.tab}`);
    await page.waitForSelector(`[data-testid=install-origins] code >> text=${site.origin}`);
    assert.equal(await page.textContent("[data-testid=install-origins] p"), T.install.originsListed);
    await page.locator("[data-testid=preview]").scrollIntoViewIfNeeded();
    const preview = page.frameLocator("[data-testid=preview]");
    await preview.locator("button.launcher").waitFor({ timeout: 15000 });
    const frame = page.frames().find((f) => f.url().includes("/widget-preview.html"));
    await frame.addScriptTag({ path: AXE });  // axe-core checks the preview's frame too
    await shoot(page, lang, "install");

    // The Inbox is open, live, before the visitor comes.
    await openNavAtPhoneWidth(page);  // the Menu button when this language's links do not fit one row
    await page.click("nav a[href='/app/inbox']");
    await page.waitForSelector(`h1 >> text=${T.inbox.title}`);
    await page.waitForSelector(`[data-testid=inbox-status] >> text=${T.inbox.live}`);
    // The list has loaded (the try-it conversation, or nothing yet); the visitor's comes on top.
    await page.waitForFunction((empty) => document.querySelector("[data-testid=inbox-row]") ||
      document.querySelector("main").textContent.includes(empty), T.inbox.empty, { timeout: 10000 });
    const earlier = await page.$$eval("[data-testid=inbox-row]", (rows) => rows.map((r) => r.dataset.id));

    // A visitor on the owner's site opens the widget and asks.
    const visitorContext = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-US" });
    const visitor = await visitorContext.newPage();
    watchErrors(visitor, `${lang} widget`, pageErrors);
    await visitor.goto(`${site.origin}/${lang}`);
    await visitor.click(w("button.launcher"));
    await visitor.waitForSelector(w(`.msg-bot >> text=Greeting ${lang}`), { timeout: 15000 });
    await visitor.waitForSelector(w(`.state >> text=${L.widget.bot}`));
    await visitor.waitForSelector(w("form.composer button:not([disabled])"));
    await visitor.fill(w(".composer textarea"), L.question);
    await visitor.press(w(".composer textarea"), "Enter");
    await visitor.waitForSelector(w(".msg-bot:not(.draft) .sources li"), { timeout: 20000 });
    await visitor.screenshot({ path: path.join(SHOTS, `journey-${lang}-widget-1280.png`) });

    // It appears in the Inbox live (no reload) and opens with the visitor's question.
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=inbox-row]").length === n + 1,
      earlier.length, { timeout: 10000 });
    const newest = page.locator("[data-testid=inbox-row]").first();
    const conversationId = await newest.getAttribute("data-id");
    assert.ok(!earlier.includes(conversationId), "the visitor's conversation is new and on top");
    await page.waitForSelector(`[data-testid=inbox-row][data-id="${conversationId}"] >> text=Voice Help ${lang}`);
    // The widget visitor gave no name: the generated "Guest NNNN" is shown in the UI language.
    assert.match(await newest.locator(".inbox-name").textContent(), new RegExp(`^${T.inbox.guest.replace("{{number}}", "\\d{4}")}$`));
    await shoot(page, lang, "inbox");
    await newest.locator("a").click();
    await page.waitForSelector(`[data-testid=inbox-log] >> text=${L.question}`);
    await page.waitForSelector(`[data-testid=handler-state] >> text=${T.inbox.handlerBot}`);

    // The operator takes over and replies; the visitor sees the person state and the reply.
    await page.click("[data-testid=takeover-toggle]");
    await page.waitForSelector(`[data-testid=handler-state] >> text=${T.inbox.handlerHuman}`);
    await visitor.waitForSelector(w(`.state >> text=${L.widget.person}`), { timeout: 10000 });
    assert.equal(await visitor.getAttribute(w(".root"), "data-handler"), "human");
    await page.fill("[data-testid=reply-text]", L.reply);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`[data-testid=msg-operator] >> text=${L.reply}`);
    await visitor.waitForSelector(w(`.msg-operator:not(.typing) >> text=${L.reply}`), { timeout: 10000 });
    assert.equal(await visitor.textContent(w(".msg-operator .who")), owner.username);
    await visitor.screenshot({ path: path.join(SHOTS, `journey-${lang}-widget-person-1280.png`) });
    // The attach button's paperclip is drawn (SVG), not an emoji that is an empty box without an emoji font.
    assert.equal(await page.locator("[data-testid=attach-button] svg").count(), 1);
    assert.doesNotMatch(await page.textContent("[data-testid=attach-button]"), /\p{Extended_Pictographic}/u);
    await shoot(page, lang, "inbox-conversation");
    // On a phone the reply box has the whole line (the buttons go under it), not a sliver beside them.
    await page.setViewportSize({ width: 390, height: 844 });
    const box = await page.$eval("[data-testid=reply-text]", (e) => e.getBoundingClientRect().width);
    const form = await page.$eval("form.inbox-reply", (e) => e.getBoundingClientRect().width);
    assert.ok(box >= 0.9 * form, `the reply box is ${box} of ${form} px at 390 px`);
    await page.setViewportSize({ width: 1280, height: 900 });

    // Hand back: the widget says the bot answers, and it does.
    await page.click("[data-testid=takeover-toggle]");
    await page.waitForSelector(`[data-testid=handler-state] >> text=${T.inbox.handlerBot}`);
    await visitor.waitForSelector(w(`.state >> text=${L.widget.bot}`), { timeout: 10000 });
    const botReplies = () => visitor.locator(w(".log > li.msg-bot:not(.draft):not(.typing)")).count();
    const before = await botReplies();
    const shownInInbox = await page.locator("[data-testid=msg-bot]").count();
    await visitor.fill(w(".composer textarea"), L.again);
    await visitor.press(w(".composer textarea"), "Enter");
    await visitor.waitForFunction(([sel, n]) => {
      const root = document.querySelector(sel).shadowRoot;
      return root.querySelectorAll(".log > li.msg-bot:not(.draft):not(.typing)").length > n;
    }, ["[data-botfactory-widget]", before], { timeout: 20000 });
    assert.ok((await botReplies()) > before, "the bot answered again");
    await page.locator("[data-testid=msg-bot]").nth(shownInInbox).waitFor({ timeout: 20000 });

    await visitorContext.close();
    await context.close();
    assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
  });
}
