// What the widget and the chat page keep in localStorage (one key per bot, and per gateway for
// the widget) so a visitor who reloads or opens another page continues the same conversation:
// the widget session (visitor token, conversation id), the highest seq seen (the `since_seq` of
// the next join, docs/protocol.md "Resume"), the last messages to show at once, and whether the
// widget's panel was open.

import type { ChatMessage, WidgetSession } from "./protocol.js";

/** At most this many recent messages are kept (the rest of a long history is not re-shown). */
export const maxSavedMessages = 50;

export interface SavedMessage { seq: number; message: ChatMessage }

export interface Saved {
  session: WidgetSession;
  /** Highest seq of the conversation the widget has (all of 1..lastSeq were seen). */
  lastSeq: number;
  /** The newest messages in seq order, at most maxSavedMessages. */
  messages: SavedMessage[];
  open: boolean;
}

/** localStorage for one bot; every access tolerates a storage that throws (privacy modes). */
export class Store {
  private readonly key: string;

  /** `key`: the localStorage key, e.g. `botfactory.widget.<gateway origin>.<public id>`. */
  constructor(key: string) {
    this.key = key;
  }

  /** The saved state, or null when there is none or it is unreadable. */
  load(): Saved | null {
    try {
      const parsed = JSON.parse(localStorage.getItem(this.key) ?? "null") as Saved | null;
      if (!parsed?.session?.token || !parsed.session.conversation_id) return null;
      return { ...parsed, messages: Array.isArray(parsed.messages) ? parsed.messages : [], lastSeq: Number(parsed.lastSeq) || 0 };
    } catch {
      return null;
    }
  }

  /** Saves `saved`, keeping only its newest maxSavedMessages messages. */
  save(saved: Saved): void {
    try {
      localStorage.setItem(this.key, JSON.stringify({ ...saved, messages: saved.messages.slice(-maxSavedMessages) }));
    } catch {
      // Storage full or denied: the widget still works, it just will not resume.
    }
  }

  clear(): void {
    try {
      localStorage.removeItem(this.key);
    } catch {
      // ignored, as in save()
    }
  }
}
