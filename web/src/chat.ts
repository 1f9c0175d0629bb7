// The BotFactory chat page: opens a widget session for the bot in `?bot=<public id>`, keeps a
// WebSocket to the gateway, resumes by seq after any disconnect, renews its token in-band before
// it expires (docs/protocol.md, "Token expiry and renewal") and renders the conversation: a bot
// reply grows as its `message.delta` frames arrive (after a typing indicator) and is replaced by
// the final `message.new`, with its citations (citations.ts).

import type { ChatMessage, ServerFrame, WidgetSession } from "./protocol.js";
import { t, type Strings } from "./i18n.js";
import { followCitations, renderReply } from "./citations.js";
import { renewDelayMs, tokenExpiring } from "./token.js";

const params = new URLSearchParams(location.search);
const publicId = params.get("bot") ?? "";
const storageKey = `botfactory.session.${publicId}`;

const log = document.querySelector<HTMLOListElement>("#messages")!;
const form = document.querySelector<HTMLFormElement>("#composer")!;
const input = document.querySelector<HTMLTextAreaElement>("#text")!;
const sendButton = document.querySelector<HTMLButtonElement>("#send")!;
const status = document.querySelector<HTMLSpanElement>("#status")!;
const title = document.querySelector<HTMLHeadingElement>("#bot-name")!;
const avatar = document.querySelector<HTMLDivElement>(".avatar")!;

let ui: Strings = t(navigator.language.slice(0, 2));
let session: WidgetSession | null = null;
let socket: WebSocket | null = null;
let lastSeq = 0;
let retryMs = 500;
const rendered = new Map<number, HTMLLIElement>();
const pending = new Map<string, HTMLLIElement>();
/** Bot replies being streamed, by the seq of the visitor message they answer. */
const drafts = new Map<number, { item: HTMLLIElement; text: Text }>();
let typing: HTMLLIElement | null = null;
let typingTimer: ReturnType<typeof setTimeout> | undefined;
const typingMaxMs = 30000;  // a reply that never comes (channel-connector's AI_TIMEOUT_MS is 30 s)
let scrollQueued = false;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
const renewRetryMs = 5000;

function setStatus(text: string, online: boolean): void {
  status.textContent = text;
  status.dataset.online = String(online);
}

function bubble(kind: string, name: string, text: string): HTMLLIElement {
  const item = document.createElement("li");
  item.className = `msg msg-${kind}`;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = name;
  const body = document.createElement("p");
  body.className = "text";
  body.textContent = text;
  item.append(who, body);
  return item;
}

/**
 * Keeps the newest message in view: at most one scroll per animation frame however many deltas
 * arrive, and only when the visitor is at (or near) the bottom rather than reading back.
 */
function scrollToEnd(force = false): void {
  if (!force && log.scrollHeight - log.scrollTop - log.clientHeight > 120) return;
  if (scrollQueued) return;
  scrollQueued = true;
  requestAnimationFrame(() => {
    scrollQueued = false;
    log.scrollTop = log.scrollHeight;
  });
}

/** Committed messages go before the live tail (a typing indicator, replies being streamed). */
function insertBySeq(seq: number, item: HTMLLIElement): void {
  item.dataset.seq = String(seq);
  const after = [...rendered.keys()].filter((s) => s > seq).sort((a, b) => a - b)[0];
  const anchor = after !== undefined ? rendered.get(after)! : log.querySelector(":scope > li.draft, :scope > li.typing");
  log.insertBefore(item, anchor);
  rendered.set(seq, item);
}

/** Shows "<bot> is typing…" at the end of the list until the reply starts (or 30 s passed). */
function showTyping(): void {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(hideTyping, typingMaxMs);
  if (typing) return;
  typing = document.createElement("li");
  typing.className = "msg msg-typing typing";
  typing.setAttribute("role", "status");
  const name = session?.bot.name ?? "Bot";
  const label = document.createElement("span");
  label.className = "who";
  label.textContent = `${name} ${ui.typing}`;
  const dots = document.createElement("span");
  dots.className = "dots";
  dots.setAttribute("aria-hidden", "true");
  for (let i = 0; i < 3; i++) dots.append(document.createElement("i"));
  typing.append(label, dots);
  log.append(typing);
  scrollToEnd(true);
}

function hideTyping(): void {
  clearTimeout(typingTimer);
  typing?.remove();
  typing = null;
}

/** The oldest reply being streamed (bot replies come in the order of the questions). */
function oldestDraft(): HTMLLIElement | null {
  if (drafts.size === 0) return null;
  const seq = Math.min(...drafts.keys());
  const { item } = drafts.get(seq)!;
  drafts.delete(seq);
  return item;
}

/** Fills a bubble's text with `message` (citation markers, sources list for bot replies). */
function fillText(item: HTMLLIElement, message: ChatMessage): void {
  const body = item.querySelector<HTMLElement>(".text")!;
  if (message.sender.kind === "visitor") body.textContent = message.text;
  else renderReply(body, message.text, message.sources, message.id, ui);
}

function showMessage(seq: number, message: ChatMessage): void {
  if (rendered.has(seq)) return;
  let item: HTMLLIElement;
  const streamed = message.sender.kind === "bot" ? oldestDraft() : null;
  if (message.sender.kind === "bot") hideTyping();
  if (streamed) {
    // The final reply replaces the streamed text in the same bubble (no flicker, no jump).
    item = streamed;
    item.classList.remove("draft");
    item.removeAttribute("aria-busy");
    item.remove();
  } else {
    item = bubble(message.sender.kind, message.sender.name, "");
  }
  fillText(item, message);
  for (const [clientId, mine] of pending) {
    // Our own message echoed before its ack: keep the pending bubble until the ack removes it.
    if (message.sender.kind === "visitor" && mine.querySelector(".text")?.textContent === message.text) {
      mine.remove();
      pending.delete(clientId);
      break;
    }
  }
  item.title = message.created_at;
  insertBySeq(seq, item);
  lastSeq = Math.max(lastSeq, seq);
  saveSession();
  scrollToEnd(message.sender.kind === "visitor");
}

/**
 * Appends one `message.delta` to the reply it belongs to (by `reply_to_seq`): the first delta
 * replaces the typing indicator with a bubble; later ones extend its single text node, so a
 * delta costs one appendData, not a re-render.
 */
function showDelta(replyToSeq: number, delta: string): void {
  let draft = drafts.get(replyToSeq);
  if (!draft) {
    hideTyping();
    const item = bubble("bot", session?.bot.name ?? "Bot", "");
    item.classList.add("draft");
    item.setAttribute("aria-busy", "true");
    const text = document.createTextNode("");
    item.querySelector(".text")!.append(text);
    draft = { item, text };
    drafts.set(replyToSeq, draft);
    log.append(item);
  }
  draft.text.appendData(delta);
  scrollToEnd();
}

function saveSession(): void {
  if (session) localStorage.setItem(storageKey, JSON.stringify({ session, lastSeq }));
}

/** (Re)arms the renewal timer for the current token. */
function scheduleRenewal(delayMs: number | null = session ? renewDelayMs(session.token) : null): void {
  clearTimeout(renewTimer);
  if (delayMs !== null) renewTimer = setTimeout(() => void renewToken(), delayMs);
}

/**
 * Renews the visitor token before it expires, keeping the conversation: the widget session
 * route with the current token as `Authorization: Bearer` answers a new token for the same
 * conversation (docs/api.md), which the open socket gets in-band (`{"type":"auth"}`, answered
 * by `auth.ok`). On failure it retries while the token is still valid; once it expired the
 * gateway closes the socket (4001) and connect() opens a new session.
 */
async function renewToken(): Promise<void> {
  if (!session) return;
  const current = session;
  try {
    const response = await fetch(`/api/v1/widget/${encodeURIComponent(publicId)}/sessions`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${current.token}` },
      body: "{}",
    });
    if (!response.ok) throw new Error(`renew: HTTP ${response.status}`);
    const renewed = (await response.json()) as WidgetSession;
    if (session !== current || renewed.conversation_id !== current.conversation_id) return;
    session = { ...current, token: renewed.token };
    saveSession();
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "auth", token: renewed.token }));
    scheduleRenewal();
  } catch (error) {
    console.warn("token renewal failed", (error as Error).message);
    if (session === current && !tokenExpiring(current.token)) scheduleRenewal(renewRetryMs);
  }
}

/** The saved session while its token is valid, else a new one (a new conversation). */
async function openSession(): Promise<WidgetSession> {
  const saved = localStorage.getItem(storageKey);
  if (saved) {
    const parsed = JSON.parse(saved) as { session: WidgetSession };
    if (parsed.session?.token && !tokenExpiring(parsed.session.token)) return parsed.session;
    localStorage.removeItem(storageKey);
  }
  const response = await fetch(`/api/v1/widget/${encodeURIComponent(publicId)}/sessions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  if (!response.ok) throw new Error(`session: HTTP ${response.status}`);
  return (await response.json()) as WidgetSession;
}

/** Forgets the conversation on screen and opens a new session (the old token expired). */
async function renewSession(): Promise<void> {
  localStorage.removeItem(storageKey);
  session = await openSession();
  for (const item of log.querySelectorAll("li")) item.remove();
  rendered.clear();
  pending.clear();
  drafts.clear();
  hideTyping();
  lastSeq = 0;
  scheduleRenewal();
}

async function connect(): Promise<void> {
  if (!session) return;
  setStatus(ui.connecting, false);
  if (tokenExpiring(session.token)) {
    try {
      await renewSession();
    } catch (error) {
      setStatus(`${ui.error}: ${(error as Error).message}`, false);
      setTimeout(() => void connect(), retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
      return;
    }
  }
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(session.token)}`);
  socket.onopen = () => {
    retryMs = 500;
    socket!.send(JSON.stringify({ type: "conversation.join", conversation_id: session!.conversation_id, since_seq: lastSeq }));
  };
  socket.onmessage = (event) => {
    const frame = JSON.parse(String(event.data)) as ServerFrame;
    switch (frame.type) {
      case "message.new":
        showMessage(frame.seq, frame.message);
        break;
      case "message.delta":
        showDelta(frame.reply_to_seq, frame.delta);
        break;
      case "message.ack": {
        // The committed message may already be on screen (its message.new can beat the ack);
        // otherwise the pending bubble becomes the message with that seq.
        const mine = pending.get(frame.client_id);
        pending.delete(frame.client_id);
        if (!mine) break;
        if (rendered.has(frame.seq)) {
          mine.remove();
        } else {
          mine.classList.remove("sending");
          mine.remove();
          insertBySeq(frame.seq, mine);
          lastSeq = Math.max(lastSeq, frame.seq);
          saveSession();
        }
        break;
      }
      case "auth.ok":
        status.dataset.tokenExpires = String(frame.expires_at);
        break;
      case "conversation.joined":
        setStatus(ui.online, true);
        sendButton.disabled = false;
        break;
      case "error":
        console.warn("chat error", frame.code, frame.message);
        // A message of ours was refused (e.g. rate_limited): no reply is coming for it.
        if (frame.client_id && pending.has(frame.client_id)) hideTyping();
        break;
    }
  };
  socket.onclose = (event) => {
    sendButton.disabled = true;
    setStatus(ui.offline, false);
    // Any close (1001 going away, 1008 slow consumer, 4001 token expired, 1006 network)
    // resumes from lastSeq; an expired token first gets a new session (connect()).
    setTimeout(() => void connect(), retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || !socket || socket.readyState !== WebSocket.OPEN || !session) return;
  const clientId = crypto.randomUUID();
  const item = bubble("visitor", session.visitor.name, text);
  item.classList.add("sending");
  pending.set(clientId, item);
  log.insertBefore(item, log.querySelector(":scope > li.draft, :scope > li.typing"));
  showTyping();
  scrollToEnd(true);
  socket.send(JSON.stringify({ type: "message.send", conversation_id: session.conversation_id, client_id: clientId, text }));
  input.value = "";
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

followCitations(log);

async function main(): Promise<void> {
  input.placeholder = ui.placeholder;
  sendButton.textContent = ui.send;
  if (!publicId) {
    setStatus(ui.missingBot, false);
    return;
  }
  try {
    session = await openSession();
  } catch (error) {
    setStatus(`${ui.error}: ${(error as Error).message}`, false);
    return;
  }
  ui = t(session.bot.language);
  input.placeholder = ui.placeholder;
  sendButton.textContent = ui.send;
  title.textContent = session.bot.name;
  avatar.textContent = session.bot.name.slice(0, 1).toUpperCase();
  document.documentElement.lang = session.bot.language;
  scheduleRenewal();
  void connect();
}

void main();
