// Files in the chat page (issue 11 "Files") in headless Debian Chromium against the real fleet:
// a visitor attaches a picture (thumbnail in the bubble, the full picture in a lightbox) and a
// PDF (a download link); an HTML page named .png is refused with a clear message; the operator
// reads the same attachment over REST. Screenshots in build/screenshots/attachments-*.png.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createServer } from "node:http";
import { launchChromium, SHOTS } from "./browser_support.mjs";
import { gradientPng, http, startFleet } from "./harness.mjs";

let fleet;
let browser;
const attachmentsDir = mkdtempSync(path.join(tmpdir(), "bf-e2e-attachments-"));

const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
  "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

before(async () => {
  fleet = await startFleet({ env: { ATTACHMENTS_DIR: attachmentsDir } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  fleet?.stop();
  rmSync(attachmentsDir, { recursive: true, force: true });
});

test("a visitor sends a picture and a PDF on the chat page; a disguised HTML file is refused", async () => {
  const [A, B] = fleet.gateways;
  const owner = { email: "files@shop.example", username: "files_owner", password: "files-pass-2026" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
  const token = (await http(A, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  const bot = (await http(A, "POST", "/api/v1/bots", {
    token, body: { name: "Photo Desk", language: "en", greeting: "Hi! Send us a photo of the problem." },
  })).body;

  const page = await browser.newPage({ viewport: { width: 520, height: 820 } });
  await page.goto(`${A}/?bot=${bot.public_id}`);
  await page.waitForSelector("#send:not([disabled])", { timeout: 15000 });

  await page.setInputFiles("#file", { name: "broken-lamp.png", mimeType: "image/png", buffer: gradientPng(960, 640) });
  await page.waitForSelector(".msg-visitor .attachment-thumb img[src^='blob:']", { timeout: 15000 });
  await page.waitForFunction(() => {
    const img = document.querySelector(".msg-visitor .attachment-thumb img");
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 10000 });
  assert.equal(await page.$eval(".msg-visitor .attachment-thumb img", (i) => i.naturalWidth), 320, "a 320 px thumbnail");

  await page.setInputFiles("#file", { name: "receipt.pdf", mimeType: "application/pdf", buffer: pdf });
  await page.waitForSelector(".msg-visitor .attachment-file", { timeout: 15000 });
  assert.match(await page.textContent(".msg-visitor .attachment-file"), /receipt\.pdf/);

  await page.setInputFiles("#file", { name: "cute-cat.png", mimeType: "image/png",
    buffer: Buffer.from("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>") });
  await page.waitForSelector(".msg.failed", { timeout: 15000 });
  assert.match(await page.textContent(".msg.failed .text"), /Only pictures/);
  await page.screenshot({ path: path.join(SHOTS, "attachments-chat.png") });

  await page.click(".msg-visitor .attachment-thumb");
  await page.waitForSelector("dialog.lightbox[open] img", { timeout: 10000 });
  await page.waitForFunction(() => document.querySelector("dialog.lightbox img")?.naturalWidth === 960, null, { timeout: 10000 });
  await page.screenshot({ path: path.join(SHOTS, "attachments-lightbox.png") });
  await page.keyboard.press("Escape");

  // The operator (the other replica) reads the same files: the message list carries them.
  const conversations = (await http(B, "GET", "/api/v1/conversations", { token })).body.conversations;
  assert.equal(conversations.length, 1);
  const messages = (await http(B, "GET", `/api/v1/conversations/${conversations[0].id}/messages`, { token })).body.messages;
  const files = messages.filter((m) => m.attachment).map((m) => m.attachment);
  assert.deepEqual(files.map((f) => f.media_type), ["image/png", "application/pdf"]);
  const res = await fetch(`${B}${files[0].url}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "image/png");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.match(res.headers.get("content-disposition"), /^inline; filename="broken-lamp.png"/);
  assert.equal((await fetch(`${B}${files[0].url}`)).status, 401);
  await page.close();
});

test("in the embedded widget on another site, a visitor sends a picture and opens it", async () => {
  const [A] = fleet.gateways;
  const owner = { email: "files-widget@shop.example", username: "files_widget", password: "files-pass-2026" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
  const token = (await http(A, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  const bot = (await http(A, "POST", "/api/v1/bots", {
    token, body: { name: "Widget Desk", language: "en", greeting: "Hello! Photos welcome." },
  })).body;
  // A customer's page on its own origin with the embed snippet (the gateway answers CORS).
  const site = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Shop</h1><script src="${A}/widget.js" data-bot="${bot.public_id}" data-open="true" async></script></body></html>`);
  });
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 820 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${site.address().port}/`);
    const w = (selector) => `[data-botfactory-widget] >> ${selector}`;
    await page.waitForSelector(w(".composer button[type=submit]:not([disabled])"), { timeout: 15000 });
    await page.setInputFiles(w(".composer input[type=file]"),
      { name: "shelf.png", mimeType: "image/png", buffer: gradientPng(400, 600) });
    await page.waitForFunction(() => {
      const host = document.querySelector("[data-botfactory-widget]");
      const img = host?.shadowRoot?.querySelector(".attachment-thumb img");
      return img && img.complete && img.naturalHeight === 320;
    }, null, { timeout: 15000 });
    await page.screenshot({ path: path.join(SHOTS, "attachments-widget.png") });
    await page.click(w(".attachment-thumb"));
    await page.waitForSelector(w("dialog.lightbox[open] img"), { timeout: 10000 });
    await page.screenshot({ path: path.join(SHOTS, "attachments-widget-lightbox.png") });
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await new Promise((resolve) => { site.closeAllConnections(); site.close(resolve); });
  }
});
