// Wire types of the BotFactory WebSocket protocol (docs/protocol.md) and REST widget session.

export type SenderKind = "visitor" | "bot" | "operator";

export interface Sender {
  kind: SenderKind;
  id: string;
  name: string;
}

/** A knowledge passage a bot reply used; the reply text cites it as `[n]`, n = index + 1. */
export interface MessageSource {
  document_id: string;
  document_title: string;
  chunk_id: string;
}

export interface ChatMessage {
  id: string;
  sender: Sender;
  text: string;
  created_at: string;
  /** Present only when non-empty (bot replies grounded in the knowledge base). */
  sources?: MessageSource[];
  /** files: the file this message carries (docs/api.md "Attachments"). */
  attachment?: Attachment;
  /** edits: set once the author edited it (docs/protocol.md "Editing and deleting"). */
  edited_at?: string;
  /** edits: a tombstone (text ""). */
  deleted?: boolean;
  deleted_at?: string;
  /** answer feedback: a bot answer the visitor may rate (docs/protocol.md). */
  rateable?: boolean;
}

/** A file sent in a conversation. */
export interface Attachment {
  id: string;
  media_type: string;
  size_bytes: number;
  name: string;
  width: number;
  height: number;
  has_thumbnail: boolean;
  url: string;
  thumbnail_url: string | null;
}

/** calls: any `call.*` frame (docs/protocol.md "Calls"). */
export interface CallFrame {
  type: string;
  conversation_id: string;
  call_id?: string;
  sdp?: string;
  candidate?: RTCIceCandidateInit;
  from?: Sender;
  reason?: string;
  ice_servers?: RTCIceServer[];
  ring_timeout_ms?: number;
}

export interface WidgetSession {
  token: string;
  conversation_id: string;
  visitor: { id: string; name: string };
  bot: { name: string; language: string; greeting: string; widget?: WidgetAppearance };
}

/** look: the bot's widget appearance (docs/api.md "Bots"; absent from gateways before it). */
export interface WidgetAppearance {
  color: string;     // "#rrggbb"
  title: string;     // "" = the bot's name
  position: string;  // "right" | "left"
  suggested_questions: string[];
}

/** Who answers the visitor: the bot, or a person who took the conversation over. */
export type Handler = "bot" | "human";

/** The REST error body (docs/api.md, "Errors"). */
export interface ApiErrorBody {
  error?: { code?: string; message?: string };
}

/** live: a visitor rated (or cleared the rating of) bot reply `seq` — docs/protocol.md "Answer feedback". */
export interface FeedbackFrame {
  type: "message.feedback";
  conversation_id: string;
  seq: number;
  rating: "up" | "down" | null;
  comment: string;
  updated_at: string | null;
}

export type ServerFrame =
  | { type: "message.new"; conversation_id: string; seq: number; message: ChatMessage }
  | { type: "message.delta"; conversation_id: string; reply_to_seq: number; delta: string }
  | { type: "message.ack"; client_id: string; seq: number; message_id: string }
  | { type: "conversation.joined"; conversation_id: string; last_seq: number; handler?: Handler; waiting_for_human?: boolean }
  | { type: "conversation.state"; conversation_id: string; handler: Handler; waiting_for_human: boolean }
  | { type: "typing"; conversation_id: string; state: "start" | "stop"; sender: Sender }
  | { type: "auth.ok"; expires_at: number }
  | { type: "pong" }
  | { type: "error"; code: string; message: string; client_id?: string; conversation_id?: string }
  | { type: "message.edited" | "message.deleted"; conversation_id: string; seq: number; target_seq: number; message: ChatMessage }
  | { type: "message.edit.ok" | "message.delete.ok"; conversation_id: string; seq: number; target_seq: number }
  | FeedbackFrame
  | (CallFrame & { type: `call.${string}` });
