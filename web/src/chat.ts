// The BotFactory chat page for the bot in `?bot=<public id>`. The connection (widget session,
// WebSocket, resume by seq, in-band token renewal; docs/protocol.md "Token expiry and renewal")
// is widget-client.ts, shared with the embeddable widget; this file renders the conversation: a
// bot reply grows as its `message.delta` frames arrive (after a typing indicator) and is
// replaced by the final `message.new`, with its citations (citations.ts).

import type { ChatMessage, WidgetSession } from "./protocol.js";
import { t, type Strings } from "./i18n.js";
import { followCitations, renderReply } from "./citations.js";
import { WidgetClient, type ClientEvents } from "./widget-client.js";
import { Store } from "./widget-store.js";
import { MessageEdits } from "./message-edits.js";
import { CallPanel } from "./call-panel.js";
import { callStrings, editStrings } from "./edits-calls-i18n.js";
import { RoomsPanel } from "./rooms-panel.js";
import { AnswerFeedback } from "./answer-feedback.js";
import { feedbackStrings } from "./feedback-i18n.js";
import { SuggestedQuestions } from "./suggested-questions.js";
import { accentOnWhite, inkOn, parseHex } from "./contrast.js";
import {
  acceptedTypes, isFileOnlyText, paperclipIcon, renderAttachment, uploadAttachment, uploadClientId, uploadErrorText,
} from "./attachments.js";

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
// look: the bot's suggested questions above the composer until the visitor writes.
const chips = new SuggestedQuestions((question) => {
  const draft = input.value;
  input.value = question;
  form.requestSubmit();
  input.value = draft;
  input.focus();
});
form.before(chips.element);
const rooms = new RoomsPanel(document.querySelector<HTMLElement>("#rooms")!, location.origin);
let session: WidgetSession | null = null;
let client: WidgetClient | null = null;
const rendered = new Map<number, HTMLLIElement>();
const pending = new Map<string, HTMLLIElement>();
/** Bot replies being streamed, by the seq of the visitor message they answer. */
const drafts = new Map<number, { item: HTMLLIElement; text: Text }>();
let typing: HTMLLIElement | null = null;
let typingTimer: ReturnType<typeof setTimeout> | undefined;
const typingMaxMs = 30000;  // a reply that never comes (channel-connector's AI_TIMEOUT_MS is 30 s)
let scrollQueued = false;
// edits + calls (message-edits.ts, call-panel.ts).
const edits = new MessageEdits({
  change: (seq, text) => client?.change(seq, text) ?? false,
  strings: () => editStrings(document.documentElement.lang),
  fill: (item, message) => fillText(item, message),
});
const calls = new CallPanel(document.querySelector<HTMLElement>(".chat-header")!, {
  send: (frame) => client?.callFrame(frame) ?? false,
  strings: () => callStrings(document.documentElement.lang),
});

// answer feedback: the thumbs under the bot's answers (answer-feedback.ts).
const feedback = new AnswerFeedback({
  gateway: location.origin,
  session: () => session,
  strings: () => feedbackStrings(document.documentElement.lang || "en"),
});

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
  if (message.attachment) {
    body.hidden = isFileOnlyText(message.text, message.attachment);
    renderAttachment(item, message.attachment, location.origin, () => session?.token ?? "", ui);
  }
}

function showMessage(seq: number, message: ChatMessage): void {
  if (rendered.has(seq)) return;
  if (message.sender.kind === "visitor") chips.markWritten();
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
  edits.decorate(item, seq, message, message.sender.kind === "visitor");
  if (message.sender.kind === "bot") feedback.decorate(item, seq, message);  // answer feedback
  if (message.sender.kind === "operator") calls.setOperator(message.sender);
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

/** Forgets the conversation on screen (its token expired: a new session started). */
function clearConversation(): void {
  for (const item of log.querySelectorAll("li")) item.remove();
  rendered.clear();
  pending.clear();
  drafts.clear();
  hideTyping();
  feedback.reset();
  chips.reset();
}

/** Shows the bot's name and switches the texts to its language. */
function useSession(next: WidgetSession): void {
  const changed = session?.conversation_id !== next.conversation_id;
  session = next;
  if (changed) void feedback.refresh();  // the server's ratings replace the saved ones
  rooms.setSession(next);  // the rooms panel (rooms-panel.ts) uses the same visitor token
  ui = t(next.bot.language);
  input.placeholder = ui.placeholder;
  sendButton.textContent = ui.send;
  attachButton?.setAttribute("aria-label", ui.attach);
  title.textContent = next.bot.name;
  avatar.textContent = next.bot.name.slice(0, 1).toUpperCase();
  document.documentElement.lang = next.bot.language;
  chips.set(next.bot.widget?.suggested_questions ?? [], ui.suggestions);
  const color = next.bot.widget?.color ?? "";
  if (parseHex(color)) {  // look: the bot's accent, with readable text on it (contrast.ts)
    const root = document.documentElement.style;
    root.setProperty("--brand", color);
    root.setProperty("--brand-ink", inkOn(color));
    root.setProperty("--brand-text", accentOnWhite(color));
  }
  calls.render();
  feedback.relabel();
}

const events: ClientEvents = {
  session: useSession,
  reset: clearConversation,
  message: showMessage,
  delta: showDelta,
  ack(clientId, seq) {
    // The committed message may already be on screen (its message.new can beat the ack);
    // otherwise the pending bubble becomes the message with that seq.
    const mine = pending.get(clientId);
    pending.delete(clientId);
    if (!mine) return;
    mine.remove();
    if (rendered.has(seq)) return;
    mine.classList.remove("sending");
    insertBySeq(seq, mine);
    const text = mine.querySelector(".text")?.textContent ?? "";
    edits.decorate(mine, seq, { id: "", text, created_at: new Date().toISOString(),
                                sender: { kind: "visitor", id: session?.visitor.id ?? "", name: "" } }, true);
  },
  changed(targetSeq, message) {
    const item = rendered.get(targetSeq);
    if (item) edits.apply(item, targetSeq, message, message.sender.kind === "visitor");
  },
  feedback(frame) {
    feedback.apply(frame);  // live: a rating from another tab of this visitor
  },
  call(frame) {
    calls.handle(frame);
  },
  state() {
    // The chat page has no takeover display (the widget has).
  },
  typing() {
    // The page shows its own typing indicator from sending until the reply.
  },
  status(state) {
    sendButton.disabled = state !== "online";
    chips.setEnabled(state === "online");
    if (state === "connecting") setStatus(ui.connecting, false);
    else if (state === "online") setStatus(ui.online, true);
    else setStatus(ui.offline, false);
  },
  failed(code) {
    if (code) setStatus(`${ui.error}: ${code}`, false);
  },
  refused(code, clientId) {
    console.warn("chat error", code);
    if (code === "edit_window_closed") setStatus(editStrings(document.documentElement.lang).windowClosed, true);
    calls.refused(code);
    // A message of ours was refused (e.g. rate_limited): no reply is coming for it.
    if (clientId && pending.has(clientId)) hideTyping();
  },
  authOk(expiresAt) {
    status.dataset.tokenExpires = String(expiresAt);
  },
};

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || !client || !session) return;
  const clientId = client.send(text);
  if (!clientId) return;
  const item = bubble("visitor", session.visitor.name, text);
  item.classList.add("sending");
  pending.set(clientId, item);
  log.insertBefore(item, log.querySelector(":scope > li.draft, :scope > li.typing"));
  chips.markWritten();
  showTyping();
  scrollToEnd(true);
  input.value = "";
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

followCitations(log);

// files: the attach button uploads one picked file; the message comes back as message.new.
const attachButton = document.querySelector<HTMLButtonElement>("#attach");
const fileInput = document.querySelector<HTMLInputElement>("#file");
if (attachButton && fileInput) {
  fileInput.accept = acceptedTypes;
  attachButton.replaceChildren(paperclipIcon());
  attachButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (!file || !session) return;
    const item = bubble("visitor", session.visitor.name, file.name);
    item.classList.add("sending");
    log.insertBefore(item, log.querySelector(":scope > li.draft, :scope > li.typing"));
    scrollToEnd(true);
    try {
      await uploadAttachment(location.origin, session.conversation_id, session.token, file,
                             uploadClientId());
      item.remove();
    } catch (error) {
      item.classList.remove("sending");
      item.classList.add("failed");
      item.querySelector(".text")!.textContent = uploadErrorText(error, ui);
    }
  });
}

function main(): void {
  input.placeholder = ui.placeholder;
  sendButton.textContent = ui.send;
  if (!publicId) {
    setStatus(ui.missingBot, false);
    return;
  }
  client = new WidgetClient(location.origin, publicId, new Store(storageKey), events);
  const saved = client.savedSession();
  if (saved) useSession(saved);
  for (const { seq, message } of client.savedMessages()) showMessage(seq, message);
  client.start();
}

main();
