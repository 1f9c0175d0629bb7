// Shared browser helpers of the Playwright e2e tests: Debian's Chromium launched headless,
// axe-core (web/dashboard's devDependency) on a page, and screenshots at the two widths the
// dashboard is reviewed at (1280 px desktop, 375 px phone), axe-checked at each.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { chromium } from "playwright-core";
import { registerOwner, repoRoot, startFleet } from "./harness.mjs";

/** Where screenshots go (build/screenshots/, created on import). */
export const SHOTS = path.join(repoRoot, "build", "screenshots");
mkdirSync(SHOTS, { recursive: true });
/** The axe-core bundle injected into pages (and frames) under test. */
export const AXE = path.join(repoRoot, "web/dashboard/node_modules/axe-core/axe.min.js");

/** The dashboard's message catalogue for `lang` (web/dashboard/src/i18n/<lang>.json), parsed. */
export const dashboardCatalogue = (lang) => JSON.parse(readFileSync(path.join(repoRoot, `web/dashboard/src/i18n/${lang}.json`), "utf8"));

/**
 * Debian's /usr/bin/chromium, headless, no sandbox, no GPU, no background traffic; with
 * `{ fakeMedia: true }` getUserMedia is granted without a prompt and fed a fake camera and
 * microphone (the call tests).
 */
export function launchChromium({ fakeMedia = false } = {}) {
  const media = fakeMedia ? ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"] : [];
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", ...media],
  });
}

/**
 * axe-core's serious and critical violations (WCAG 2.0/2.1 A and AA, best practices) on the
 * whole document of `page`, as readable lines; [] when clean.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  }));
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/**
 * Full-page screenshots of `page` at 1280 px and 375 px wide to SHOTS/<name>-<width>.png,
 * asserting no serious or critical axe-core violation at either width and, with
 * `{ noSidewaysScroll: true }`, no horizontal scrolling at 375 px; back to 1280 px after.
 */
export async function shootAndCheck(page, name, { noSidewaysScroll = false } = {}) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.waitForTimeout(100);  // layout settles after the resize
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    assert.deepEqual(await axeViolations(page), [], `axe-core on ${name} at ${width} px`);
    if (noSidewaysScroll && width === 375) {
      const overflow = await horizontalOverflow(page);
      assert.equal(overflow.by, 0, `${name} scrolls sideways at 375 px: ${overflow.sticking.join(", ")}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/**
 * Starts recording, in `page`, every value (aria-valuenow) the dashboard's knowledge-upload
 * progress bar ([data-testid=upload] [role=progressbar]) shows; uploadProgressSeen() reads them.
 */
export async function recordUploadProgress(page) {
  await page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      for (const el of document.querySelectorAll("[data-testid=upload] [role=progressbar]")) {
        window.__progress.push(Number(el.getAttribute("aria-valuenow")));
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

/** The progress values recorded since recordUploadProgress(page), in order (numbers, 0..100). */
export const uploadProgressSeen = (page) => page.evaluate(() => window.__progress);

/**
 * Starts recording, in `page`, how a bot reply streams into the chat log `log` (a CSS selector;
 * inside the shadow root of `host` when given — the widget — else in the document — the chat
 * page): whether the typing indicator (li.typing) came before the first draft (li.draft), the
 * draft element, and every text it showed. streamedReply() reads it.
 */
export function recordStream(page, { host = null, log }) {
  return page.evaluate(({ host, log }) => {
    const list = (host ? document.querySelector(host).shadowRoot : document).querySelector(log);
    const seen = { typing: false, typingFirst: false, texts: [], node: null };
    window.__stream = seen;
    new MutationObserver(() => {
      if (list.querySelector(":scope > li.typing")) seen.typing = true;
      const draft = list.querySelector(":scope > li.draft");
      if (!draft) return;
      if (!seen.node) {
        seen.node = draft;
        seen.typingFirst = seen.typing;
      }
      const text = draft.querySelector(".text").textContent;
      if (text !== seen.texts.at(-1)) seen.texts.push(text);
    }).observe(list, { subtree: true, childList: true, characterData: true });
  }, { host, log });
}

/**
 * The last bot reply of the chat log recorded by recordStream(page, {host, log}): {typingFirst,
 * texts (each streamed text), sameBubble (the final reply is the draft's element), live (drafts
 * and typing indicators left), text, links ([{n, target: the text of the element the [n] link
 * points to}]), sources (listed titles), heading, images (img elements in the reply), pwned
 * (window.__pwned), visitor (visitor messages in the log), times ([{shown, iso}] of every message's
 * time element)}.
 */
export function streamedReply(page, { host = null, log }) {
  return page.evaluate(({ host, log }) => {
    const root = host ? document.querySelector(host).shadowRoot : document;
    const list = root.querySelector(log);
    const last = [...list.querySelectorAll(":scope > li.msg-bot")].at(-1);
    return {
      typingFirst: window.__stream.typingFirst,
      texts: window.__stream.texts,
      sameBubble: window.__stream.node === last,
      live: list.querySelectorAll(":scope > li.draft, :scope > li.typing").length,
      text: last.querySelector(".text").textContent,
      links: [...last.querySelectorAll(".text sup.cite > a")].map((a) => ({
        n: a.textContent, target: root.getElementById(a.getAttribute("href").slice(1))?.textContent ?? null,
      })),
      sources: [...last.querySelectorAll(".sources li")].map((li) => li.textContent),
      heading: last.querySelector(".sources-title").textContent,
      images: last.querySelectorAll("img").length,
      pwned: window.__pwned ?? null,
      visitor: list.querySelectorAll(":scope > li.msg-visitor").length,
      times: [...list.querySelectorAll(":scope > li.msg > time")].map((t) => ({ shown: t.textContent, iso: t.dateTime })),
    };
  }, { host, log });
}

/**
 * Resolves after two animation frames of `page`: a resize's ResizeObserver callbacks and the
 * React render they cause are on screen by then (a bounded wait, no timer).
 */
export const framesSettled = (page) =>
  page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

/**
 * The dashboard header's layout: {toggle: the Menu button is shown, links: nav links shown,
 * oneRow: every shown item of the header row (brand, button or links, account) shares one line,
 * linkLines: distinct tops of the shown links (1 = one line)}.
 */
export function headerLayout(page) {
  return page.evaluate(() => {
    const shown = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    const row = document.querySelector("header.top .top-inner");
    const items = [...row.children].filter((el) => shown(el) && !el.classList.contains("nav-measure"));
    const rects = items.map((el) => el.getBoundingClientRect());
    const links = [...row.querySelectorAll("nav.nav a.nav-item")].filter(shown);
    return {
      toggle: shown(row.querySelector("[data-testid=nav-toggle]")),
      links: links.length,
      oneRow: Math.max(...rects.map((r) => r.top)) < Math.min(...rects.map((r) => r.bottom)),
      linkLines: new Set(links.map((a) => Math.round(a.getBoundingClientRect().top))).size,
    };
  });
}

/**
 * How many CSS pixels the document is wider than the viewport (0 = no horizontal scrolling), and
 * the first few elements sticking out on the right, as "tag.class[testid] right=N" lines.
 */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const sticking = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > vw + 1 && !el.closest(".table-wrap, .sr-only, [aria-hidden=true]")) {
        sticking.push(`${el.tagName.toLowerCase()}.${el.className}[${el.getAttribute("data-testid") ?? ""}] right=${Math.round(r.right)}`);
      }
    }
    return { by: document.documentElement.scrollWidth - vw, sticking: sticking.slice(0, 5) };
  });
}

/**
 * Visible texts (and placeholder / aria-label / title attributes) on `page` that are exactly an
 * English catalogue string of web/dashboard/src/i18n/en.json whose `lang` translation differs:
 * English left on a Russian or Uzbek screen. `en` and `other` are the parsed catalogues.
 */
export async function untranslatedTexts(page, en, other) {
  const flat = (o, p = "", out = {}) => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === "string") out[p + k] = v;
      else flat(v, `${p}${k}.`, out);
    }
    return out;
  };
  const e = flat(en);
  const x = flat(other);
  const english = Object.keys(e).filter((k) => x[k] !== e[k] && !e[k].includes("{{")).map((k) => e[k]);
  return page.evaluate((english) => {
    const set = new Set(english);
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      if (text && set.has(text) && !n.parentElement.closest("option, script, style")) found.push(text);
    }
    for (const el of document.querySelectorAll("[placeholder], [aria-label], [title]")) {
      for (const a of ["placeholder", "aria-label", "title"]) {
        const v = el.getAttribute(a);
        if (v && set.has(v)) found.push(`${a}="${v}"`);
      }
    }
    return [...new Set(found)];
  }, english);
}

/**
 * A customer's web site for the browser to open: an HTTP server on a free loopback port whose
 * requests `handler(req, res)` (node:http) answers. Returns {origin ("http://127.0.0.1:<port>"),
 * close() (drops open connections, resolves once the server is closed)}.
 */
export async function serveSite(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/**
 * The set-up of a browser test: the whole fleet (startFleet), headless Chromium, and `owner`
 * ({email, username, password}) signed up and logged in on the first gateway. Resolves with
 * {fleet, base (that gateway's URL), browser, token (the owner's access token)}; on a failure the
 * fleet (and browser) started so far are stopped before the error is rethrown.
 */
export async function startBrowserFleet(owner) {
  const fleet = await startFleet();
  const [base] = fleet.gateways;
  let browser;
  try {
    browser = await launchChromium();
    return { fleet, base, browser, token: await registerOwner(base, owner) };
  } catch (e) {
    await stopBrowserFleet({ fleet, browser });
    throw e;
  }
}

/** Closes the WebSocket `clients`, the browser and the fleet of startBrowserFleet (each may be unset). */
export async function stopBrowserFleet({ fleet, browser, clients = [] }) {
  for (const c of clients) c.close();
  await browser?.close();
  fleet?.stop();
}

/**
 * Signs `account` ({email, password}) in on the dashboard's sign-in page of the gateway `base`
 * in `page`; resolves once the dashboard has moved to /app/bots (signed in).
 */
export async function signInDashboard(page, base, account) {
  await page.goto(`${base}/app/signin`);
  await page.fill("input[name=email]", account.email);
  await page.fill("input[name=password]", account.password);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/app\/bots$/);
}

/**
 * Opens the dashboard's "Menu" disclosure (App.tsx: shown at <= 640 px and whenever the links do
 * not fit on the header's row, e.g. Russian at 1280 px) when its button is visible, so a test can
 * then click a nav link at any width and in any language; a no-op when the links stand in the
 * header or the menu is already open. Resolves once the nav links are visible.
 */
export async function openNavAtPhoneWidth(page) {
  await framesSettled(page);  // the header's fit check after a resize or a language change
  const toggle = page.locator("[data-testid=nav-toggle]");
  if (await toggle.isVisible() && await toggle.getAttribute("aria-expanded") !== "true") await toggle.click();
  await page.locator("nav.nav a.nav-item").first().waitFor({ state: "visible" });
}
