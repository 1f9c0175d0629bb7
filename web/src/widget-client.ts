// A visitor's connection to the gateway, without any DOM, shared by the chat page (chat.ts) and
// the embeddable widget (web/widget): the widget session (REST), the WebSocket, resume by seq
// after a reload or a disconnect, in-band token renewal and a new session when the saved token
// expired or is refused (docs/protocol.md "Token expiry and renewal", docs/api.md "Widget
// sessions"). The page gets what happens through `ClientEvents`.

import type { ApiErrorBody, CallFrame, ChatMessage, FeedbackFrame, Handler, Sender, ServerFrame, WidgetSession } from "./protocol.js";
import { renewDelayMs, tokenExpiring } from "./token.js";
import { maxSavedMessages, type Saved, type SavedMessage, type Store } from "./widget-store.js";

/** Connection states shown in the header. */
export type Status = "connecting" | "online" | "offline";

export interface ClientEvents {
  /** The session is known (new, renewed or restored): bot name and language. */
  session(session: WidgetSession): void;
  /** The conversation on screen is gone (its token expired): clear the messages. */
  reset(): void;
  message(seq: number, message: ChatMessage): void;
  delta(replyToSeq: number, delta: string): void;
  /** Our message `clientId` is committed as `seq`. */
  ack(clientId: string, seq: number): void;
  state(handler: Handler, waitingForHuman: boolean): void;
  typing(sender: Sender, on: boolean): void;
  status(status: Status): void;
  /** A refusal the widget cannot retry away: `origin_not_allowed` or `not_found`; null clears it. */
  failed(code: string | null): void;
  /** An `error` frame (e.g. `rate_limited`), with the client id of the refused message if any. */
  refused(code: string, clientId?: string): void;
  /** The socket accepted a renewed token (`auth.ok`): it now lives until `expiresAt` (Unix s). */
  authOk?(expiresAt: number): void;
  /** edits: message `targetSeq` was edited or deleted; `message` is its state now. */
  changed?(targetSeq: number, message: ChatMessage): void;
  /** live: a rating of a bot reply was stored (by this or another tab of the visitor). */
  feedback?(frame: FeedbackFrame): void;
  /** calls: a `call.*` frame addressed to this visitor. */
  call?(frame: CallFrame): void;
  /** look: the bot (name, language, appearance) before any session exists (preview()). */
  appearance?(bot: WidgetSession["bot"]): void;
}

/** An HTTP error of the widget session route, with the API's error code. */
class SessionError extends Error {
  constructor(readonly status: number, readonly code: string) {
    super(`HTTP ${status} ${code}`);
  }
}

/** Codes that retrying cannot fix (the bot's settings must change first). */
const fatalCodes = new Set(["origin_not_allowed", "not_found"]);
const renewRetryMs = 5000;
const maxRetryMs = 10000;
/** After this many sockets in a row closed before opening, the token is checked over REST. */
const refusedOpensBeforeCheck = 3;

/**
 * One visitor's conversation with one bot through the gateway at `gateway` (an origin, e.g.
 * "https://chat.example.com"; `location.origin` on the chat page). start() opens (or restores)
 * the session and keeps a socket open until stop().
 */
export class WidgetClient {
  private saved: Saved | null;
  private socket: WebSocket | null = null;
  private retryMs = 500;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private stopped = false;
  private joined = false;
  private counter = 0;
  private refusedOpens = 0;
  /** The saved token was refused (401): the next connect starts a new session. */
  private tokenRefused = false;
  private readonly unsent = new Map<string, string>();

  constructor(private readonly gateway: string, private readonly publicId: string,
              private readonly store: Store, private readonly events: ClientEvents) {
    this.saved = store.load();
  }

  /** The saved messages (oldest first) to show before the socket replays what is newer. */
  savedMessages(): SavedMessage[] {
    return this.saved?.messages ?? [];
  }

  /** The restored session, if any (to name the bot before connecting). */
  savedSession(): WidgetSession | null {
    return this.saved?.session ?? null;
  }

  /** Whether the panel was open when the visitor left the previous page. */
  wasOpen(): boolean {
    return this.saved?.open ?? false;
  }

  /** Remembers whether the panel is open (restored on the next page). */
  rememberOpen(open: boolean): void {
    if (!this.saved) return;
    this.saved.open = open;
    this.store.save(this.saved);
  }

  /**
   * look: without a saved session, asks the gateway for the bot's look (GET
   * /api/v1/widget/{public_id}, docs/api.md) so the closed widget already has its colour and
   * side; reported through `appearance` unless a session came first. Failures are ignored (the
   * session reports them when the visitor opens the chat).
   */
  async preview(): Promise<void> {
    if (this.saved) return;
    try {
      const url = `${this.gateway}/api/v1/widget/${encodeURIComponent(this.publicId)}`;
      const response = await fetch(url, { credentials: "omit" });
      if (!response.ok) return;
      const body = (await response.json()) as { bot?: WidgetSession["bot"] };
      if (!this.saved && body.bot) this.events.appearance?.(body.bot);
    } catch {
      // offline or blocked: the defaults stay until the session
    }
  }

  /** Opens or restores the session and connects; idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000);
  }

  /**
   * Sends a visitor message; returns its client id, or null when not connected (the text stays
   * in the composer).
   */
  send(text: string): string | null {
    if (!this.saved || !this.joined || this.socket?.readyState !== WebSocket.OPEN) return null;
    const clientId = `w-${Date.now().toString(36)}-${++this.counter}`;
    this.unsent.set(clientId, text);
    this.frame({ type: "message.send", conversation_id: this.saved.session.conversation_id, client_id: clientId, text });
    return clientId;
  }

  /** edits: edits (text set) or deletes our message `seq`; false when not connected. */
  change(seq: number, text: string | null): boolean {
    if (!this.saved || !this.joined) return false;
    const conversation_id = this.saved.session.conversation_id;
    if (text === null) this.frame({ type: "message.delete", conversation_id, seq });
    else this.frame({ type: "message.edit", conversation_id, seq, text });
    return true;
  }

  /** calls: sends a `call.*` frame of this conversation; false when not connected. */
  callFrame(frame: Record<string, unknown>): boolean {
    if (!this.saved || !this.joined) return false;
    this.frame({ ...frame, conversation_id: this.saved.session.conversation_id });
    return true;
  }

  /** Asks for a person (`handoff.request`); answered by a `conversation.state`. */
  handoff(): boolean {
    if (!this.saved || !this.joined) return false;
    this.frame({ type: "handoff.request", conversation_id: this.saved.session.conversation_id });
    return true;
  }

  /** The visitor started or stopped typing (the gateway throttles; docs/protocol.md "Typing"). */
  typing(on: boolean): void {
    if (!this.saved || !this.joined) return;
    this.frame({ type: "typing", conversation_id: this.saved.session.conversation_id, state: on ? "start" : "stop" });
  }

  private frame(value: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(value));
  }

  private url(): string {
    return `${this.gateway}/api/v1/widget/${encodeURIComponent(this.publicId)}/sessions`;
  }

  /** POST the widget session route, renewing when `token` is given. Throws SessionError. */
  private async requestSession(token?: string): Promise<WidgetSession> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(this.url(), { method: "POST", headers, body: "{}", credentials: "omit" });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as ApiErrorBody;
      throw new SessionError(response.status, body.error?.code ?? "http_error");
    }
    return (await response.json()) as WidgetSession;
  }

  private persist(): void {
    if (this.saved) this.store.save(this.saved);
  }

  /** A new conversation: forgets the old one (screen and storage). */
  private async newSession(): Promise<void> {
    const hadOne = this.saved !== null;
    const session = await this.requestSession();
    this.tokenRefused = false;
    this.saved = { session, lastSeq: 0, messages: [], open: true };
    this.persist();
    if (hadOne) this.events.reset();
    this.events.session(session);
  }

  private retry(): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, maxRetryMs);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.events.status("connecting");
    try {
      if (!this.saved || this.tokenRefused || tokenExpiring(this.saved.session.token)) await this.newSession();
      else this.events.session(this.saved.session);
    } catch (error) {
      const code = error instanceof SessionError ? error.code : "network";
      if (fatalCodes.has(code)) {
        this.events.failed(code);
        this.events.status("offline");
        return;
      }
      this.events.status("offline");
      this.retry();
      return;
    }
    this.events.failed(null);
    this.scheduleRenewal();
    const session = this.saved!.session;
    const ws = new URL(this.gateway);
    ws.protocol = ws.protocol === "https:" ? "wss:" : "ws:";
    ws.pathname = "/ws";
    ws.search = `?token=${encodeURIComponent(session.token)}`;
    const socket = new WebSocket(ws.toString());
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.refusedOpens = 0;
      this.retryMs = 500;
      this.frame({ type: "conversation.join", conversation_id: session.conversation_id, since_seq: this.saved!.lastSeq });
    };
    socket.onmessage = (event) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      this.handle(frame);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.joined = false;
      this.events.status("offline");
      // Any close (network, 1001, 4001 token expired, a refused upgrade) resumes from lastSeq;
      // an expired token first gets a new session (connect()). Browsers hide why an upgrade
      // was refused, so after a few in a row the token is checked over REST.
      if (!opened && ++this.refusedOpens >= refusedOpensBeforeCheck) {
        this.refusedOpens = 0;
        void this.checkToken();
        return;
      }
      this.retry();
    };
  }

  private remember(seq: number, message: ChatMessage): void {
    const saved = this.saved!;
    if (saved.messages.some((m) => m.seq === seq)) return;
    saved.messages.push({ seq, message });
    saved.messages.sort((a, b) => a.seq - b.seq);
    if (saved.messages.length > maxSavedMessages) saved.messages.splice(0, saved.messages.length - maxSavedMessages);
    saved.lastSeq = Math.max(saved.lastSeq, seq);
    this.persist();
  }

  private handle(frame: ServerFrame): void {
    switch (frame.type) {
      case "message.new":
        this.remember(frame.seq, frame.message);
        this.events.message(frame.seq, frame.message);
        break;
      case "message.delta":
        this.events.delta(frame.reply_to_seq, frame.delta);
        break;
      case "message.ack": {
        const text = this.unsent.get(frame.client_id);
        this.unsent.delete(frame.client_id);
        const session = this.saved!.session;
        if (text !== undefined) {
          this.remember(frame.seq, {
            id: frame.message_id, text, created_at: new Date().toISOString(),
            sender: { kind: "visitor", id: session.visitor.id, name: session.visitor.name },
          });
        }
        this.events.ack(frame.client_id, frame.seq);
        break;
      }
      case "conversation.joined":
        this.joined = true;
        this.events.status("online");
        this.events.state(frame.handler ?? "bot", frame.waiting_for_human ?? false);
        break;
      case "auth.ok":
        this.events.authOk?.(frame.expires_at);
        break;
      case "conversation.state":
        this.events.state(frame.handler, frame.waiting_for_human);
        break;
      case "typing":
        this.events.typing(frame.sender, frame.state === "start");
        break;
      case "error":
        if (frame.client_id) this.unsent.delete(frame.client_id);
        this.events.refused(frame.code, frame.client_id);
        break;
      case "message.edited":
      case "message.deleted": {
        // edits: the saved copy takes the message's new state; the event's own seq counts for
        // the resume.
        const saved = this.saved!;
        const kept = saved.messages.find((m) => m.seq === frame.target_seq);
        if (kept) kept.message = frame.message;
        saved.lastSeq = Math.max(saved.lastSeq, frame.seq);
        this.persist();
        this.events.changed?.(frame.target_seq, frame.message);
        break;
      }
      case "message.feedback":
        this.events.feedback?.(frame);
        break;
      default:
        if (frame.type.startsWith("call.")) this.events.call?.(frame as CallFrame);
        break;
    }
  }

  /**
   * Asks the session route about the saved token (a renewal): a new token when it is fine (the
   * upgrade failed for another reason), a new session on the next connect when it is refused
   * (401: forged, expired, or signed with a rotated secret), the error state for a site the bot
   * no longer allows. Then reconnects.
   */
  private async checkToken(): Promise<void> {
    const current = this.saved;
    if (!current || this.stopped) return;
    try {
      const renewed = await this.requestSession(current.session.token);
      if (renewed.conversation_id === current.session.conversation_id) {
        current.session = { ...current.session, token: renewed.token, bot: renewed.bot ?? current.session.bot };
        this.persist();
      }
    } catch (error) {
      if (error instanceof SessionError && error.code === "origin_not_allowed") {
        this.events.failed(error.code);
        return;
      }
      if (error instanceof SessionError && (error.status === 401 || error.status === 403)) this.tokenRefused = true;
    }
    this.retry();
  }

  private scheduleRenewal(delayMs: number | null = this.saved ? renewDelayMs(this.saved.session.token) : null): void {
    clearTimeout(this.renewTimer);
    if (delayMs !== null) this.renewTimer = setTimeout(() => void this.renew(), delayMs);
  }

  /**
   * Renews the visitor token before it expires (same conversation) and hands it to the open
   * socket (`auth`). On failure retries while the token is valid; once it expired the gateway
   * closes the socket (4001) and connect() opens a new session.
   */
  private async renew(): Promise<void> {
    const current = this.saved;
    if (!current || this.stopped) return;
    try {
      const renewed = await this.requestSession(current.session.token);
      if (this.saved !== current || renewed.conversation_id !== current.session.conversation_id) return;
      // look: the bot's current name and appearance come with the renewal.
      current.session = { ...current.session, token: renewed.token, bot: renewed.bot ?? current.session.bot };
      this.persist();
      this.events.session(current.session);
      this.frame({ type: "auth", token: renewed.token });
      this.scheduleRenewal();
    } catch (error) {
      if (error instanceof SessionError && error.code === "origin_not_allowed") {
        this.events.failed(error.code);
        this.stop();
        return;
      }
      if (this.saved === current && !tokenExpiring(current.session.token)) this.scheduleRenewal(renewRetryMs);
    }
  }
}

