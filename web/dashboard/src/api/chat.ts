// The "try it" conversation: a real widget session (POST /widget/{public_id}/sessions, the
// same origin as the dashboard) and the live chat protocol over /ws (docs/protocol.md):
// conversation.join, message.send, message.delta (the reply growing), message.new (committed).

import type { Attachment } from "./attachments";
import { publicApi } from "./client";

export interface ChatSource { document_id: string; document_title: string; chunk_id: string }
export interface ChatMessage {
  seq: number;
  id: string;
  sender: { kind: "visitor" | "bot" | "operator"; id: string; name: string };
  text: string;
  created_at: string;
  sources?: ChatSource[];
  /** files: the file this message carries. */
  attachment?: Attachment;
}
export interface WidgetSession {
  token: string;
  conversation_id: string;
  visitor: { id: string; name: string };
}

/** Listener callbacks of a TryChat. `draft` is the bot reply being generated ("" when none). */
export interface ChatEvents {
  onMessages: (messages: ChatMessage[]) => void;
  onDraft: (draft: string) => void;
  /** "open" once the conversation is joined (sending earlier is refused: not_joined). */
  onState: (state: "connecting" | "open" | "closed") => void;
  onError: (code: string) => void;
}

/** Starts a widget session for the bot `publicId` as visitor `name` (rejects with ApiError). */
export function startWidgetSession(publicId: string, name: string): Promise<WidgetSession> {
  return publicApi<WidgetSession>("POST", `/widget/${encodeURIComponent(publicId)}/sessions`, { name });
}

/** One visitor socket on one conversation. close() ends it. */
export class TryChat {
  private ws: WebSocket;
  private messages = new Map<number, ChatMessage>();
  private deltas = new Map<number, string>();
  private counter = 0;

  constructor(private session: WidgetSession, private events: ChatEvents) {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${scheme}://${window.location.host}/ws?token=${encodeURIComponent(session.token)}`);
    events.onState("connecting");
    this.ws.onopen = () => {
      this.send({ type: "conversation.join", conversation_id: session.conversation_id, since_seq: 0 });
    };
    this.ws.onclose = () => events.onState("closed");
    this.ws.onmessage = (e) => this.receive(String(e.data));
  }

  /** Sends `text` as the visitor; false when the socket is not open. */
  say(text: string): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    this.counter += 1;
    this.send({
      type: "message.send", conversation_id: this.session.conversation_id,
      client_id: `try-${Date.now()}-${this.counter}`, text,
    });
    return true;
  }

  close(): void {
    this.ws.onclose = null;
    this.ws.close();
  }

  private send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  private receive(raw: string): void {
    let frame: { type?: string; seq?: number; message?: ChatMessage; reply_to_seq?: number; delta?: string; code?: string };
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (frame.type === "message.new" && frame.message && typeof frame.seq === "number") {
      this.messages.set(frame.seq, { ...frame.message, seq: frame.seq });
      if (frame.message.sender.kind === "bot") this.deltas.clear();
      this.events.onMessages([...this.messages.values()].sort((a, b) => a.seq - b.seq));
      this.events.onDraft([...this.deltas.values()].join(""));
    } else if (frame.type === "conversation.joined") {
      this.events.onState("open");  // messages may be sent once the join is complete
    } else if (frame.type === "message.delta" && typeof frame.reply_to_seq === "number") {
      this.deltas.set(frame.reply_to_seq, (this.deltas.get(frame.reply_to_seq) ?? "") + (frame.delta ?? ""));
      this.events.onDraft([...this.deltas.values()].join(""));
    } else if (frame.type === "error") {
      this.events.onError(frame.code ?? "unknown");
    }
  }
}
