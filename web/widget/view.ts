// The widget's DOM inside its shadow root: the launcher bubble, the panel (header with the bot's
// name and state, the error line, the message log, "talk to a person", the composer). Messages
// are built with createElement/textContent only (never parsed as HTML); a bot reply grows as its
// deltas arrive and is replaced by the final message with its citations (../src/citations.ts).

import { followCitations, renderReply } from "../src/citations.js";
import type { ChatMessage, Handler, Sender, WidgetSession } from "../src/protocol.js";
import type { ClientEvents, Status, WidgetClient } from "../src/widget-client.js";
import { clock, strings, type Strings } from "./i18n.js";
import { css } from "./styles.js";
import { AnswerFeedback } from "../src/answer-feedback.js";
import { feedbackStrings } from "../src/feedback-i18n.js";
import { accentOnWhite, inkOn, parseHex } from "../src/contrast.js";
import { SuggestedQuestions } from "../src/suggested-questions.js";
import {
  acceptedTypes, isFileOnlyText, paperclipIcon, renderAttachment, uploadAttachment, uploadClientId, uploadErrorText,
} from "../src/attachments.js";

/** The launcher's icons: a speech bubble while closed, a down chevron while open. */
const chatIcon = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
const closeIcon = "M5.3 8.3a1 1 0 0 1 1.4 0L12 13.6l5.3-5.3a1 1 0 1 1 1.4 1.4l-6 6a1 1 0 0 1-1.4 0l-6-6a1 1 0 0 1 0-1.4z";
/** A participant's typing is forgotten after this long without a new `start` (docs/protocol.md). */
const typingForgetMs = 6000;
/** The bot's typing ends when its reply comes; this caps a reply that never comes. */
const botTypingMaxMs = 30000;
/** The visitor's `typing start` is repeated at most this often while they type. */
const typingRepeatMs = 3000;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/** Options read from the script tag (docs/widget.md). */
export interface ViewOptions {
  /** Forced UI language (data-lang), else the bot's. */
  lang?: string;
  /** "left" puts the bubble bottom-left (data-position). */
  position?: string;
  /** files: the gateway's origin (attachments are fetched and uploaded there). */
  gateway?: string;
}

/** The widget on the page; `events` is what the client reports into. */
export class WidgetView {
  readonly events: ClientEvents;
  private ui: Strings;
  private lang: string;
  private client!: WidgetClient;
  private readonly root = el("div", "root");
  private readonly launcher = el("button", "launcher");
  private readonly launcherIcon = document.createElementNS("http://www.w3.org/2000/svg", "path");
  private readonly panel = el("div", "panel");
  private readonly avatar = el("div", "avatar");
  private readonly heading = el("h2");
  private readonly state = el("span", "state");
  private readonly closeButton = el("button", "close");
  private readonly alert = el("p", "alert");
  private readonly log = el("ol", "log");
  private readonly handoffButton = el("button", "handoff");
  private readonly form = el("form", "composer");
  private readonly input = el("textarea");
  private readonly sendButton = el("button");
  private readonly attachButton = el("button", "attach");  // files
  private readonly fileInput = el("input");
  /** look: the bot's suggested questions, under the greeting until the visitor writes. */
  private readonly chips = new SuggestedQuestions((question) => this.ask(question));
  private readonly rendered = new Map<number, HTMLLIElement>();
  private readonly pending = new Map<string, HTMLLIElement>();
  private readonly drafts = new Map<number, { item: HTMLLIElement; text: Text }>();
  private readonly typers = new Map<string, { item: HTMLLIElement; timer: ReturnType<typeof setTimeout> }>();
  private session: WidgetSession | null = null;
  /** look: the bot as known before a session (WidgetClient.preview()). */
  private previewBot: WidgetSession["bot"] | null = null;
  private status: Status = "connecting";
  private handler: Handler = "bot";
  private waiting = false;
  private failure: string | null = null;
  private typingSentAt = 0;
  /** answer feedback: the thumbs under the bot's answers (../src/answer-feedback.ts). */
  private readonly feedback: AnswerFeedback;

  constructor(host: HTMLElement, private readonly options: ViewOptions) {
    this.lang = options.lang ?? navigator.language ?? "en";
    this.ui = strings(this.lang);
    this.feedback = new AnswerFeedback({
      gateway: options.gateway ?? location.origin,
      session: () => this.session,
      strings: () => feedbackStrings(this.lang),
    });
    const shadow = host.attachShadow({ mode: "open" });
    this.applyStyles(shadow);
    this.build();
    shadow.append(this.root);
    this.events = this.makeEvents();
  }

  /** Connects the view to its client and restores the saved conversation. */
  attach(client: WidgetClient): void {
    this.client = client;
    const saved = client.savedSession();
    if (saved) this.useSession(saved);
    for (const { seq, message } of client.savedMessages()) this.showMessage(seq, message);
    if (client.wasOpen()) this.open(false);
    else if (!saved) void client.preview();
  }

  /** Constructable style sheets are not blocked by a page's CSP without 'unsafe-inline'. */
  private applyStyles(shadow: ShadowRoot): void {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
    } catch {
      shadow.append(el("style", "", css));
    }
  }

  private build(): void {
    if (this.options.position === "left") this.root.classList.add("left");  // before any session
    this.launcher.type = "button";
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-controls", "bf-panel");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    this.launcherIcon.setAttribute("d", chatIcon);
    svg.append(this.launcherIcon);
    this.launcher.append(svg);
    this.launcher.addEventListener("click", () => (this.panel.hidden ? this.open(true) : this.close()));

    this.panel.id = "bf-panel";
    this.panel.hidden = true;
    this.panel.setAttribute("role", "dialog");
    this.panel.setAttribute("aria-labelledby", "bf-title");
    this.heading.id = "bf-title";
    this.avatar.setAttribute("aria-hidden", "true");
    this.state.setAttribute("aria-live", "polite");
    const title = el("div", "title");
    title.append(this.heading, this.state);
    this.closeButton.type = "button";
    this.closeButton.textContent = "×";
    this.closeButton.addEventListener("click", () => this.close());
    const head = el("div", "head");
    head.append(this.avatar, title, this.closeButton);

    this.alert.setAttribute("role", "alert");
    this.alert.hidden = true;
    // A list with aria-live rather than role="log" (which would hide the list semantics of its
    // items from assistive technology).
    this.log.setAttribute("aria-live", "polite");
    this.log.tabIndex = 0;
    followCitations(this.log);

    this.handoffButton.type = "button";
    this.handoffButton.addEventListener("click", () => {
      if (this.client.handoff()) this.handoffButton.disabled = true;
    });
    const bar = el("div", "bar");
    bar.append(this.handoffButton);

    this.input.rows = 1;
    this.input.maxLength = 4000;
    this.sendButton.type = "submit";
    this.sendButton.disabled = true;
    this.attachButton.type = "button";
    this.attachButton.append(paperclipIcon());
    this.fileInput.type = "file";
    this.fileInput.hidden = true;
    this.fileInput.accept = acceptedTypes;
    this.attachButton.addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", () => void this.sendFile());
    this.form.append(this.attachButton, this.fileInput, this.input, this.sendButton);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.visitorTyping());
    this.input.addEventListener("blur", () => this.visitorStopped());

    this.panel.append(head, this.alert, this.log, this.chips.element, bar, this.form);
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.close();
      }
    });
    this.root.append(this.panel, this.launcher);
    this.applyTexts();
  }

  /** Every fixed text in the current language. */
  private applyTexts(): void {
    this.root.lang = this.lang.slice(0, 2);
    this.launcher.setAttribute("aria-label", this.panel.hidden ? this.ui.open : this.ui.close);
    this.closeButton.setAttribute("aria-label", this.ui.close);
    this.log.setAttribute("aria-label", this.ui.conversation);
    this.handoffButton.textContent = this.ui.talkToPerson;
    this.input.placeholder = this.ui.placeholder;
    this.input.setAttribute("aria-label", this.ui.message);
    this.sendButton.textContent = this.ui.send;
    this.attachButton.setAttribute("aria-label", this.ui.attach);
    this.attachButton.title = this.ui.attach;
    const bot = this.bot();
    this.heading.textContent = bot?.widget?.title || bot?.name || "Chat";
    this.avatar.textContent = (bot?.name ?? "C").slice(0, 1).toUpperCase();
    this.applyAppearance();
    this.showState();
    this.showFailure();
    this.feedback?.relabel();
  }

  /**
   * look: the bot's appearance (docs/widget.md "Appearance"): the accent with white or
   * near-black text on it by WCAG 2.1 contrast (../src/contrast.ts), the side (data-position
   * wins over the bot's setting) and the suggested questions.
   */
  private applyAppearance(): void {
    const widget = this.bot()?.widget;
    const color = widget?.color ?? "";
    if (parseHex(color)) {
      this.root.style.setProperty("--brand", color);
      this.root.style.setProperty("--brand-ink", inkOn(color));
      this.root.style.setProperty("--brand-text", accentOnWhite(color));
    }
    this.root.classList.toggle("left", (this.options.position ?? widget?.position) === "left");
    this.chips.set(widget?.suggested_questions ?? [], this.ui.suggestions);
  }

  /** look: a suggested question clicked: sent as the visitor's message (the composer keeps its draft). */
  private ask(question: string): void {
    const draft = this.input.value;
    this.input.value = question;
    this.submit();
    this.input.value = draft;  // sent or not (offline), the visitor's own draft stays
    this.input.focus();
  }

  /** Opens the panel (and connects); `focus` moves the keyboard focus into the composer. */
  open(focus: boolean): void {
    this.panel.hidden = false;
    this.root.classList.add("open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", this.ui.close);
    this.launcherIcon.setAttribute("d", closeIcon);
    this.client.start();
    this.client.rememberOpen(true);
    this.log.scrollTop = this.log.scrollHeight;
    if (focus) this.input.focus();
  }

  private close(): void {
    this.panel.hidden = true;
    this.root.classList.remove("open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", this.ui.open);
    this.launcherIcon.setAttribute("d", chatIcon);
    this.client.rememberOpen(false);
    this.launcher.focus();
  }

  private useSession(session: WidgetSession): void {
    const changed = this.session?.conversation_id !== session.conversation_id;
    this.session = session;
    if (changed) void this.feedback.refresh();  // the server's ratings replace the saved ones
    this.useBot(session.bot);
  }

  /** The bot of the session, else as previewed, else null. */
  private bot(): WidgetSession["bot"] | null {
    return this.session?.bot ?? this.previewBot;
  }

  /** The bot's language (unless data-lang) and look. */
  private useBot(bot: WidgetSession["bot"]): void {
    if (!this.options.lang) {
      this.lang = bot.language || this.lang;
      this.ui = strings(this.lang);
    }
    this.applyTexts();
  }

  /** The header's second line: the connection while not online, else who answers. */
  private showState(): void {
    const text = this.status === "connecting" ? this.ui.connecting
      : this.status === "offline" ? this.ui.offline
      : this.handler === "human" ? this.ui.personAnswers
      : this.waiting ? this.ui.waiting : this.ui.botAnswers;
    this.state.textContent = this.failure ? "" : text;
    this.state.dataset.status = this.status;
    this.root.dataset.handler = this.handler;
    this.root.dataset.waiting = String(this.waiting);
    this.handoffButton.hidden = this.handler === "human" || this.waiting || this.status !== "online";
    this.handoffButton.disabled = false;
    this.sendButton.disabled = this.status !== "online";
    this.chips.setEnabled(this.status === "online" && !this.failure);
  }

  private showFailure(): void {
    const text = this.failure === "origin_not_allowed" ? this.ui.notAllowed
      : this.failure === "not_found" ? this.ui.notFound : "";
    this.alert.textContent = text;
    this.alert.hidden = !text;
    this.root.dataset.failure = this.failure ?? "";
    this.input.disabled = Boolean(this.failure);
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || !this.session) return;
    const clientId = this.client.send(text);
    if (!clientId) return;
    this.visitorStopped();
    const item = this.bubble("visitor", this.ui.you, text, new Date().toISOString());
    item.classList.add("sending");
    this.pending.set(clientId, item);
    this.log.insertBefore(item, this.tail());
    this.input.value = "";
    this.chips.markWritten();
    this.scrollToEnd(true);
  }

  /** files: uploads the picked file; its message arrives as message.new like any other. */
  private async sendFile(): Promise<void> {
    const file = this.fileInput.files?.[0];
    this.fileInput.value = "";
    if (!file || !this.session) return;
    const item = this.bubble("visitor", this.ui.you, file.name, new Date().toISOString());
    item.classList.add("sending");
    this.chips.markWritten();
    this.log.insertBefore(item, this.tail());
    this.scrollToEnd(true);
    try {
      await uploadAttachment(this.options.gateway ?? location.origin, this.session.conversation_id,
                             this.session.token, file, uploadClientId());
      item.remove();
    } catch (error) {
      item.classList.remove("sending");
      item.classList.add("failed");
      item.querySelector(".text")!.textContent = uploadErrorText(error, this.ui);
    }
  }

  private visitorTyping(): void {
    const now = Date.now();
    if (this.input.value.trim() === "") return this.visitorStopped();
    if (now - this.typingSentAt < typingRepeatMs) return;
    this.typingSentAt = now;
    this.client.typing(true);
  }

  private visitorStopped(): void {
    if (this.typingSentAt === 0) return;
    this.typingSentAt = 0;
    this.client.typing(false);
  }

  /** The first live element (reply being streamed, typing indicator) committed ones go before. */
  private tail(): Element | null {
    return this.log.querySelector(":scope > li.draft, :scope > li.typing");
  }

  private bubble(kind: string, name: string, text: string, createdAt: string): HTMLLIElement {
    const item = el("li", `msg msg-${kind}`);
    const who = el("span", "who", name);
    const body = el("p", "text", text);
    item.append(who, body);
    this.stamp(item, createdAt);
    return item;
  }

  /** Sets (or replaces) the HH:MM time of a bubble. */
  private stamp(item: HTMLLIElement, createdAt: string): void {
    item.querySelector(":scope > time")?.remove();
    const time = el("time", "", clock(createdAt, this.lang));
    time.dateTime = createdAt;
    item.append(time);
  }

  private scrollToEnd(force = false): void {
    const log = this.log;
    if (!force && log.scrollHeight - log.scrollTop - log.clientHeight > 120) return;
    requestAnimationFrame(() => { log.scrollTop = log.scrollHeight; });
  }

  private insertBySeq(seq: number, item: HTMLLIElement): void {
    item.dataset.seq = String(seq);
    const after = [...this.rendered.keys()].filter((s) => s > seq).sort((a, b) => a - b)[0];
    this.log.insertBefore(item, after !== undefined ? this.rendered.get(after)! : this.tail());
    this.rendered.set(seq, item);
  }

  private showMessage(seq: number, message: ChatMessage): void {
    if (this.rendered.has(seq)) return;
    const kind = message.sender.kind;
    this.stopTyping(message.sender);
    let item: HTMLLIElement | undefined;
    if (kind === "bot" && this.drafts.size > 0) {
      // The final reply replaces the streamed text in the same bubble.
      const first = Math.min(...this.drafts.keys());
      item = this.drafts.get(first)!.item;
      this.drafts.delete(first);
      item.classList.remove("draft");
      item.removeAttribute("aria-busy");
      item.remove();
    }
    if (kind === "visitor") {
      this.chips.markWritten();
      for (const [clientId, mine] of this.pending) {
        if (mine.querySelector(".text")?.textContent === message.text) {
          mine.remove();
          this.pending.delete(clientId);
          break;
        }
      }
    }
    item ??= this.bubble(kind, kind === "visitor" ? this.ui.you : message.sender.name, "", message.created_at);
    const body = item.querySelector<HTMLElement>(".text")!;
    if (kind === "visitor") body.textContent = message.text;
    else renderReply(body, message.text, message.sources, message.id, this.ui);
    if (message.attachment) {
      body.hidden = isFileOnlyText(message.text, message.attachment);
      renderAttachment(item, message.attachment, this.options.gateway ?? location.origin,
                       () => this.session?.token ?? "", this.ui);
    }
    this.stamp(item, message.created_at);
    this.insertBySeq(seq, item);
    if (kind === "bot") this.feedback.decorate(item, seq, message);  // answer feedback
    this.scrollToEnd(kind === "visitor");
  }

  private showDelta(replyToSeq: number, delta: string): void {
    let draft = this.drafts.get(replyToSeq);
    if (!draft) {
      this.stopTyping({ kind: "bot", id: "", name: "" });
      const item = this.bubble("bot", this.session?.bot.name ?? "Bot", "", new Date().toISOString());
      item.classList.add("draft");
      item.setAttribute("aria-busy", "true");
      const text = document.createTextNode("");
      item.querySelector(".text")!.append(text);
      draft = { item, text };
      this.drafts.set(replyToSeq, draft);
      this.log.append(item);
    }
    draft.text.appendData(delta);
    this.scrollToEnd();
  }

  /** Key of a typing participant: the bot is one participant whatever its id. */
  private typerKey(sender: Sender): string {
    return sender.kind === "bot" ? "bot" : `${sender.kind}:${sender.id}`;
  }

  private startTyping(sender: Sender): void {
    if (sender.kind === "visitor") return;  // the visitor's own other tabs
    const key = this.typerKey(sender);
    const known = this.typers.get(key);
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(() => this.stopTyping(sender), sender.kind === "bot" ? botTypingMaxMs : typingForgetMs);
    if (known) {
      known.timer = timer;
      return;
    }
    if (sender.kind === "bot" && this.drafts.size > 0) {
      clearTimeout(timer);
      return;
    }
    const item = el("li", `msg msg-typing typing msg-${sender.kind}`);
    item.append(el("span", "who", `${sender.name || this.session?.bot.name || ""} ${this.ui.typing}`));
    const dots = el("span", "dots");
    dots.setAttribute("aria-hidden", "true");
    for (let i = 0; i < 3; i++) dots.append(el("i"));
    item.append(dots);
    this.log.append(item);
    this.typers.set(key, { item, timer });
    this.scrollToEnd();
  }

  private stopTyping(sender: Sender): void {
    const key = this.typerKey(sender);
    const known = this.typers.get(key);
    if (!known) return;
    clearTimeout(known.timer);
    known.item.remove();
    this.typers.delete(key);
  }

  private clear(): void {
    for (const item of this.log.querySelectorAll("li")) item.remove();
    this.rendered.clear();
    this.pending.clear();
    this.drafts.clear();
    for (const { timer } of this.typers.values()) clearTimeout(timer);
    this.typers.clear();
    this.feedback.reset();
    this.chips.reset();
  }

  private makeEvents(): ClientEvents {
    return {
      session: (session) => this.useSession(session),
      appearance: (bot) => {
        if (this.session) return;
        this.previewBot = bot;
        this.useBot(bot);
      },
      reset: () => this.clear(),
      message: (seq, message) => this.showMessage(seq, message),
      delta: (replyToSeq, delta) => this.showDelta(replyToSeq, delta),
      ack: (clientId, seq) => {
        const mine = this.pending.get(clientId);
        this.pending.delete(clientId);
        if (!mine) return;
        mine.remove();
        if (this.rendered.has(seq)) return;
        mine.classList.remove("sending");
        this.insertBySeq(seq, mine);
      },
      state: (handler, waiting) => {
        this.handler = handler;
        this.waiting = waiting;
        this.showState();
      },
      typing: (sender, on) => (on ? this.startTyping(sender) : this.stopTyping(sender)),
      feedback: (frame) => this.feedback.apply(frame),  // live: another tab's rating
      status: (status) => {
        this.status = status;
        this.showState();
      },
      failed: (code) => {
        this.failure = code;
        this.showFailure();
        this.showState();
      },
      refused: (code, clientId) => {
        const mine = clientId ? this.pending.get(clientId) : undefined;
        if (mine) {
          mine.classList.remove("sending");
          mine.classList.add("refused");
          mine.title = code;
          this.pending.delete(clientId!);
        }
        if (!clientId) this.handoffButton.disabled = false;
      },
    };
  }
}
