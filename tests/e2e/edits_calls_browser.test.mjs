// The chat page's edit / delete controls and call button in headless Chromium (issue 11), on
// two gateway replicas: the visitor edits its message ("edited" label) and deletes it (a
// tombstone); then an operator (a second page on the other replica, speaking the WebSocket
// protocol itself) writes, the visitor presses Call, the operator's page answers with a real
// RTCPeerConnection (Chromium's fake microphone), and both peer connections reach "connected"
// — media flows page to page, only the signalling passes the gateway. Screenshots go to
// build/screenshots/edits-*.png and calls-*.png.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { launchChromium } from "./browser_support.mjs";
import { http, repoRoot, startFleet } from "./harness.mjs";

const SHOTS = path.join(repoRoot, "build", "screenshots");
let fleet;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fleet = await startFleet();
  browser = await launchChromium({ fakeMedia: true });
});

after(async () => {
  await browser?.close();
  fleet?.stop();
});

test("chat page: edit and delete own messages; a call with an operator on the other replica connects", async () => {
  const [A, B] = fleet.gateways;
  const owner = { email: "calls@shop.example", username: "calls_owner", password: "calls-pass-2026" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
  const token = (await http(A, "POST", "/api/v1/auth/login", { body: owner })).body.access_token;
  const bot = (await http(A, "POST", "/api/v1/bots", {
    token, body: { name: "Call Desk", language: "en", greeting: "Hi! Ask away." },
  })).body;

  const page = await browser.newPage({ viewport: { width: 520, height: 760 } });
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`${A}/?bot=${bot.public_id}`);
  await page.waitForSelector("#send:not([disabled])", { timeout: 15000 });
  await page.fill("#text", "helo, can I get a refnud?");
  await page.click("#send");
  const mine = ".msg-visitor:not(.sending)";
  await page.waitForSelector(`${mine} .edit-edit`, { timeout: 15000 });
  await page.click(`${mine} .edit-edit`);
  await page.fill(`${mine} .edit-form textarea`, "Hello, can I get a refund?");
  await page.click(`${mine} .edit-form button[type=submit]`);
  await page.waitForSelector(`${mine} .edited`, { timeout: 15000 });
  assert.equal(await page.textContent(`${mine} .text`), "Hello, can I get a refund?");
  await page.screenshot({ path: path.join(SHOTS, "edits-edited.png") });

  await page.fill("#text", "wrong chat, sorry");
  await page.click("#send");
  await page.waitForFunction(() => document.querySelectorAll(".msg-visitor:not(.sending) .edit-delete").length >= 2, null, { timeout: 15000 });
  const last = page.locator(".msg-visitor:not(.sending)").last();
  await last.locator(".edit-delete").click();
  await page.waitForSelector(".msg-visitor.deleted", { timeout: 15000 });
  assert.equal(await page.textContent(".msg-visitor.deleted .text"), "Message deleted");
  await page.screenshot({ path: path.join(SHOTS, "edits-deleted.png") });
  // The final state survives a reload (resume from the saved copy and by seq).
  await page.reload();
  await page.waitForSelector(".msg-visitor.deleted", { timeout: 15000 });
  await page.waitForSelector(".msg-visitor .edited", { timeout: 15000 });

  // The operator: a page of replica B speaking the protocol with a user token.
  const conversationId = JSON.parse(await page.evaluate((key) => localStorage.getItem(key),
    `botfactory.session.${bot.public_id}`)).session.conversation_id;
  const operator = await browser.newPage();
  await operator.goto(`${B}/styles.css`);
  await operator.evaluate(async ({ url, token: t, cid }) => {
    const op = { frames: [], state: "" };
    window.op = op;
    const ws = new WebSocket(url + "/ws?token=" + encodeURIComponent(t));
    op.ws = ws;
    const send = (f) => ws.send(JSON.stringify({ conversation_id: cid, ...f }));
    ws.onmessage = async (event) => {
      const f = JSON.parse(event.data);
      op.frames.push(f.type);
      if (f.type === "conversation.joined") send({ type: "message.send", client_id: "op-1", text: "Operator Olga here." });
      if (f.type === "call.invite") {
        op.callId = f.call_id;
        const media = await navigator.mediaDevices.getUserMedia({ audio: true });
        const pc = new RTCPeerConnection({ iceServers: [] });
        op.pc = pc;
        media.getTracks().forEach((track) => pc.addTrack(track, media));
        pc.onicecandidate = (e) => e.candidate && send({ type: "call.ice", call_id: f.call_id, candidate: e.candidate.toJSON() });
        pc.onconnectionstatechange = () => { op.state = pc.connectionState; };
        await pc.setRemoteDescription({ type: "offer", sdp: f.sdp });
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        send({ type: "call.answer", call_id: f.call_id, sdp: answer.sdp });
        for (const c of op.early ?? []) await pc.addIceCandidate(c);
      }
      if (f.type === "call.ice") {
        if (op.pc?.remoteDescription) await op.pc.addIceCandidate(f.candidate);
        else (op.early ??= []).push(f.candidate);
      }
    };
    await new Promise((resolve) => { ws.onopen = resolve; });
    send({ type: "conversation.join", since_seq: 0 });
  }, { url: B.replace("http", "ws"), token, cid: conversationId });

  await page.waitForSelector(".call-button:not([disabled])", { timeout: 15000 });
  await page.click(".call-button");
  await page.waitForFunction(() => document.querySelector(".chat-header")?.dataset.callState === "connected", null, { timeout: 20000 });
  await operator.waitForFunction(() => window.op.state === "connected", null, { timeout: 20000 });
  assert.equal(await page.textContent(".call-banner"), "In call");
  assert.equal(await page.textContent(".call-button"), "Hang up");
  await page.screenshot({ path: path.join(SHOTS, "calls-connected.png") });

  // The operator hangs up: the visitor's page ends the call.
  await operator.evaluate((cid) => window.op.ws.send(JSON.stringify({ type: "call.hangup", conversation_id: cid, call_id: window.op.callId })), conversationId);
  await page.waitForFunction(() => document.querySelector(".call-banner")?.textContent === "Call ended", null, { timeout: 15000 });
  assert.equal(await page.textContent(".call-button"), "Call");
  await page.screenshot({ path: path.join(SHOTS, "calls-ended.png") });
  await operator.close();
  await page.close();
});
