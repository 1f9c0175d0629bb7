// The inbox (docs/api.md "GET /api/v1/conversations", docs/protocol.md "Inbox" and "Takeover"):
// REST for the list, a conversation's history, takeover / handback and read positions; one
// operator WebSocket for the live list (inbox.subscribe → conversation.updated) and the open
// conversation (conversation.join → message.new / message.delta / typing / conversation.state).
// The socket reconnects with exponential back-off (1 s doubling to 30 s, with jitter) and renews
// its token in band ({"type":"auth"}) before the access token expires.

import { api, authorized } from "./client";
import type { ChatMessage } from "./chat";
import { accessExpiringSoon, loadSession } from "./session";

export type ChannelKind = "web" | "telegram" | "whatsapp" | "instagram";
export type Handler = "bot" | "human";

/** One inbox item (REST adds bot_name, read_seq and unread_count; events carry neither). */
export interface InboxItem {
  id: string;
  bot_id: string;
  bot_name?: string;
  channel: ChannelKind;
  visitor: { kind: "visitor"; id: string; name: string };
  handler: Handler;
  waiting_for_human: boolean;
  last_seq: number;
  created_at: string;
  updated_at: string;
  last_message: { seq: number; sender_kind: "visitor" | "bot" | "operator"; preview: string; created_at: string } | null;
  read_seq?: number;
  unread_count?: number;
}

export interface InboxFilter { botId: string; channel: string; waiting: boolean }

/** GET /conversations with the filters; `cursor` = next_cursor of the previous page. */
export function listInbox(filter: InboxFilter, cursor?: string, limit = 50) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (filter.botId) q.set("bot_id", filter.botId);
  if (filter.channel) q.set("channel", filter.channel);
  if (filter.waiting) q.set("waiting", "true");
  if (cursor) q.set("cursor", cursor);
  return api<{ conversations: InboxItem[]; next_cursor: string | null }>("GET", `/conversations?${q}`);
}

/** Messages with seq in (sinceSeq, sinceSeq + limit], oldest first. */
export async function listMessages(conversationId: string, sinceSeq: number, limit: number) {
  const q = new URLSearchParams({ since_seq: String(sinceSeq), limit: String(limit) });
  const page = await api<{ messages: ChatMessage[] }>(
    "GET", `/conversations/${encodeURIComponent(conversationId)}/messages?${q}`);
  // edits: entries with `event` are edit / delete events of the seq stream; the messages they
  // changed already carry their current state (docs/api.md "Message versions").
  return page.messages.filter((m) => !(m as { event?: string }).event);
}

/** POST /conversations/{id}/takeover (take = true) or /handback. */
export const setHandler = (conversationId: string, take: boolean) =>
  api<InboxItem>("POST", `/conversations/${encodeURIComponent(conversationId)}/${take ? "takeover" : "handback"}`);

/** POST /conversations/{id}/read {seq}. */
export const markRead = (conversationId: string, seq: number) =>
  api<{ read_seq: number; unread_count: number }>(
    "POST", `/conversations/${encodeURIComponent(conversationId)}/read`, { seq });

/** A server frame of the operator socket, loosely typed. */
export interface InboxFrame {
  type: string;
  conversation?: InboxItem;
  conversation_id?: string;
  seq?: number;
  message?: ChatMessage;
  reply_to_seq?: number;
  delta?: string;
  state?: "start" | "stop";
  sender?: { kind: string; id: string; name: string };
  handler?: Handler;
  waiting_for_human?: boolean;
  last_seq?: number;
  code?: string;
  client_id?: string;
  /** live: message.feedback (a visitor rated bot reply `seq`; null = the rating was cleared). */
  rating?: "up" | "down" | null;
  comment?: string;
  updated_at?: string | null;
}

export type SocketStatus = "connecting" | "open" | "offline";

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const RENEW_CHECK_MS = 20_000;
const TYPING_IDLE_MS = 4000;

/**
 * The operator's socket. `onFrame` gets every server frame; `onStatus` the connection state;
 * `onSubscribed` runs after every (re)subscription, when the list should be (re)loaded.
 */
export class InboxSocket {
  private ws: WebSocket | null = null;
  private token = "";
  private backoff = MIN_BACKOFF_MS;
  private retryTimer: number | undefined;
  private renewTimer: number | undefined;
  private closed = false;
  private joined: { id: string; lastSeq: number } | null = null;
  private counter = 0;
  private typingSince = 0;

  constructor(private events: {
    onFrame: (frame: InboxFrame) => void;
    onStatus: (status: SocketStatus) => void;
    onSubscribed: () => void;
  }) {
    void this.connect();
    this.renewTimer = window.setInterval(() => void this.renew(), RENEW_CHECK_MS);
  }

  /** Watches one conversation (leaving the previous one); `lastSeq` = the newest seq shown. */
  join(conversationId: string, lastSeq: number): void {
    if (this.joined && this.joined.id !== conversationId) {
      this.send({ type: "conversation.leave", conversation_id: this.joined.id });
    }
    this.joined = { id: conversationId, lastSeq };
    this.send({ type: "conversation.join", conversation_id: conversationId, since_seq: lastSeq });
  }

  /** Remembers the newest seq shown, so a reconnect resumes after it. */
  seen(conversationId: string, seq: number): void {
    if (this.joined?.id === conversationId && seq > this.joined.lastSeq) this.joined.lastSeq = seq;
  }

  leave(): void {
    if (this.joined) this.send({ type: "conversation.leave", conversation_id: this.joined.id });
    this.joined = null;
  }

  /** Sends `text` as the operator; false when the socket is not open. */
  say(conversationId: string, text: string): boolean {
    this.counter += 1;
    this.typingSince = 0;
    return this.send({
      type: "message.send", conversation_id: conversationId,
      client_id: `op-${Date.now()}-${this.counter}`, text,
    });
  }

  /** Typing start (throttled to one per TYPING_IDLE_MS) or stop. */
  typing(conversationId: string, start: boolean): void {
    const now = Date.now();
    if (start && now - this.typingSince < TYPING_IDLE_MS) return;
    if (!start && this.typingSince === 0) return;
    this.typingSince = start ? now : 0;
    this.send({ type: "typing", conversation_id: conversationId, state: start ? "start" : "stop" });
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.renewTimer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close();
    }
  }

  private send(frame: object): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.events.onStatus("connecting");
    try {
      this.token = await authorized(async (access) => access);  // refreshed when about to expire
    } catch {
      return this.retry();
    }
    if (this.closed) return;
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${window.location.host}/ws?token=${encodeURIComponent(this.token)}`);
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = MIN_BACKOFF_MS;
      ws.send(JSON.stringify({ type: "inbox.subscribe" }));
      if (this.joined) {
        ws.send(JSON.stringify({ type: "conversation.join", conversation_id: this.joined.id, since_seq: this.joined.lastSeq }));
      }
    };
    ws.onmessage = (e) => {
      let frame: InboxFrame;
      try {
        frame = JSON.parse(String(e.data));
      } catch {
        return;
      }
      if (frame.type === "inbox.subscribed") this.events.onStatus("open");  // live from here on
      if (frame.type === "inbox.subscribed" || frame.type === "inbox.resync") this.events.onSubscribed();
      this.events.onFrame(frame);
    };
    ws.onclose = () => {
      this.ws = null;
      this.retry();
    };
  }

  private retry(): void {
    if (this.closed) return;
    this.events.onStatus("offline");
    const delay = this.backoff * (0.8 + Math.random() * 0.4);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.retryTimer = window.setTimeout(() => void this.connect(), delay);
  }

  /** Renews the socket's token in band when the stored access token is about to expire or was
   *  already rotated (by a REST call or another tab). */
  private async renew(): Promise<void> {
    const s = loadSession();
    if (!s || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (s.access === this.token && !accessExpiringSoon(s)) return;
    try {
      const fresh = await authorized(async (access) => access);
      if (fresh !== this.token && this.send({ type: "auth", token: fresh })) this.token = fresh;
    } catch {
      // the session ended: the socket closes with 4001 at expiry and the app signs out
    }
  }
}
