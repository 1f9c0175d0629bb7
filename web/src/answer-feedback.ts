// answer feedback (docs/api.md "Answer feedback", docs/widget.md): the "Helpful" / "Not helpful"
// buttons under each bot answer the server marks `rateable`, for the chat page and the widget.
// A click sends PUT /api/v1/conversations/{id}/messages/{seq}/feedback with the visitor token;
// clicking the pressed button again clears the rating; after "Not helpful" an optional one-line
// comment (≤ 500 characters) can be sent or skipped. The ratings are kept in localStorage (shown
// at once after a reload) and replaced by the server's (GET …/feedback) once the session is known.
// live: a `message.feedback` frame (a rating stored from another tab of the same visitor, or this
// one) is applied with apply(), so every tab shows the same thumbs.

import { el, strokeIcon } from "./dom.js";
import type { ChatMessage, FeedbackFrame, WidgetSession } from "./protocol.js";
import type { FeedbackStrings } from "./feedback-i18n.js";

export type Rating = "up" | "down";
interface Stored { rating: Rating; comment: string }

/** Longest comment, in characters (the server counts code points; ≤ 500 UTF-16 units is safe). */
export const maxCommentLength = 500;

/** Thumb icons (24×24 view box, stroked in currentColor). */
const thumbUp = "M7 10v11H3V10h4zm0 0 4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8a2 2 0 0 1-2 1.7H7";
const thumbDown = "M17 14V3h4v11h-4zm0 0-4 8a3 3 0 0 1-3-3v-4H4.5a2 2 0 0 1-2-2.3l1.4-8a2 2 0 0 1 2-1.7H17";

/** What AnswerFeedback needs from its page. */
export interface FeedbackHost {
  /** The gateway's origin (REST). */
  gateway: string;
  /** The current visitor session (token, conversation), null before there is one. */
  session(): WidgetSession | null;
  strings(): FeedbackStrings;
}

/** One bar under one rateable answer; the comment form exists only while it is open. */
interface Bar {
  root: HTMLDivElement;
  up: HTMLButtonElement;
  down: HTMLButtonElement;
  comment: { form: HTMLFormElement; input: HTMLInputElement; send: HTMLButtonElement; skip: HTMLButtonElement } | null;
  note: HTMLParagraphElement;
}

/** The feedback controls of one conversation on screen. */
export class AnswerFeedback {
  private ratings = new Map<number, Stored>();
  /** live: the newest updated_at (RFC 3339, one fixed format: compares as text) known per seq, so
   *  a late frame of an older write does not undo a newer one. */
  private readonly seen = new Map<number, string>();
  private readonly bars = new Map<number, Bar>();
  private conversation = "";

  constructor(private readonly host: FeedbackHost) {}

  /** Adds the bar under `item` (the bubble of message `seq`) when the server marks it rateable. */
  decorate(item: HTMLElement, seq: number, message: ChatMessage): void {
    if (!message.rateable || message.deleted) return;
    this.useConversation();
    item.querySelector(":scope > .feedback")?.remove();
    const bar = this.build(seq);
    this.bars.set(seq, bar);
    item.append(bar.root);
    this.render(seq);
  }

  /** Asks the server for the conversation's ratings (the source of truth) and shows them. */
  async refresh(): Promise<void> {
    const session = this.host.session();
    if (!session) return;
    this.useConversation();
    try {
      const response = await fetch(this.url(session), {
        headers: { Authorization: `Bearer ${session.token}` }, credentials: "omit",
      });
      if (!response.ok) return;
      const body = (await response.json()) as { feedback?: { seq: number; rating: Rating | null; comment: string; updated_at?: string | null }[] };
      const next = new Map<number, Stored>();
      for (const row of body.feedback ?? []) {
        if (row.rating === "up" || row.rating === "down") next.set(row.seq, { rating: row.rating, comment: row.comment ?? "" });
        this.newest(row.seq, row.updated_at);
      }
      this.ratings = next;
      this.persist();
      for (const seq of this.bars.keys()) this.render(seq);
    } catch {
      // Offline: the saved ratings stay on screen.
    }
  }

  /** live: applies a `message.feedback` frame of the conversation on screen (another tab of the
   *  visitor rated, re-rated or cleared a reply; this tab's own PUT comes back too and changes
   *  nothing). A comment form left open under a reply that is no longer "down" closes. */
  apply(frame: FeedbackFrame): void {
    if (frame.conversation_id !== this.host.session()?.conversation_id) return;
    this.useConversation();
    if (!this.newest(frame.seq, frame.updated_at)) return;  // an older write's frame, late
    if (frame.rating === "up" || frame.rating === "down") {
      this.ratings.set(frame.seq, { rating: frame.rating, comment: frame.comment ?? "" });
    } else {
      this.ratings.delete(frame.seq);
    }
    this.persist();
    if (frame.rating !== "down") this.closeComment(frame.seq, false);
    this.render(frame.seq);
  }

  /** Records `updatedAt` for `seq`; false when a newer write is already known (null: a clear,
   *  which carries no time, always counts). */
  private newest(seq: number, updatedAt: string | null | undefined): boolean {
    if (!updatedAt) return true;
    const known = this.seen.get(seq);
    if (known !== undefined && updatedAt < known) return false;
    this.seen.set(seq, updatedAt);
    return true;
  }

  /** Forgets the bars (the conversation on screen was cleared). */
  reset(): void {
    this.bars.clear();
    this.conversation = "";
    this.ratings.clear();
    this.seen.clear();
  }

  /** Re-applies the texts after a language change. */
  relabel(): void {
    for (const seq of this.bars.keys()) this.render(seq);
  }

  private url(session: WidgetSession, seq?: number): string {
    const id = encodeURIComponent(session.conversation_id);
    return seq === undefined
      ? `${this.host.gateway}/api/v1/conversations/${id}/feedback`
      : `${this.host.gateway}/api/v1/conversations/${id}/messages/${seq}/feedback`;
  }

  private storageKey(): string {
    return `botfactory.feedback.${this.conversation}`;
  }

  /** Loads the saved ratings when the conversation on screen changed. */
  private useConversation(): void {
    const id = this.host.session()?.conversation_id ?? "";
    if (!id || id === this.conversation) return;
    this.conversation = id;
    this.ratings = new Map();
    this.seen.clear();
    try {
      const saved = JSON.parse(localStorage.getItem(this.storageKey()) ?? "{}") as Record<string, Stored>;
      for (const [seq, value] of Object.entries(saved)) {
        if (value && (value.rating === "up" || value.rating === "down")) {
          this.ratings.set(Number(seq), { rating: value.rating, comment: String(value.comment ?? "") });
        }
      }
    } catch {
      // Unreadable or denied storage: start empty.
    }
  }

  private persist(): void {
    if (!this.conversation) return;
    try {
      localStorage.setItem(this.storageKey(), JSON.stringify(Object.fromEntries(this.ratings)));
    } catch {
      // Storage full or denied: the server still has the ratings.
    }
  }

  private build(seq: number): Bar {
    const root = el("div", "feedback");
    root.setAttribute("role", "group");
    root.dataset.seq = String(seq);
    const up = el("button", "fb-up");
    const down = el("button", "fb-down");
    for (const [button, d] of [[up, thumbUp], [down, thumbDown]] as const) {
      button.type = "button";
      button.append(strokeIcon(d, 16));
    }
    up.addEventListener("click", () => void this.choose(seq, "up"));
    down.addEventListener("click", () => void this.choose(seq, "down"));
    const note = el("p", "fb-note");
    note.setAttribute("aria-live", "polite");
    root.append(up, down, note);
    return { root, up, down, comment: null, note };
  }

  /** Opens the one-line comment form of bar `seq` (after "Not helpful") and focuses it. */
  private openComment(seq: number): void {
    const bar = this.bars.get(seq);
    if (!bar) return;
    this.closeComment(seq, false);
    const ui = this.host.strings();
    const form = el("form", "fb-comment");
    const input = el("input");
    input.type = "text";
    input.maxLength = maxCommentLength;
    input.name = "comment";
    input.setAttribute("aria-label", ui.commentLabel);
    input.placeholder = ui.commentPlaceholder;
    const send = el("button", "fb-send");
    send.type = "submit";
    send.textContent = ui.send;
    const skip = el("button", "fb-skip");
    skip.type = "button";
    skip.textContent = ui.skip;
    form.append(input, send, skip);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.sendComment(seq);
    });
    skip.addEventListener("click", () => {
      bar.note.textContent = ui.thanks;
      this.closeComment(seq, true);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.closeComment(seq, true);
      }
    });
    bar.root.insertBefore(form, bar.note);
    bar.comment = { form, input, send, skip };
    input.focus({ preventScroll: true });
    form.scrollIntoView({ block: "nearest" });  // Send / Skip in view at the end of the log
  }

  /** Removes bar `seq`'s comment form; `focus` moves the focus back to "Not helpful". */
  private closeComment(seq: number, focus: boolean): void {
    const bar = this.bars.get(seq);
    if (!bar?.comment) return;
    bar.comment.form.remove();
    bar.comment = null;
    if (focus) bar.down.focus();
  }

  /** Shows the stored rating and the current texts on bar `seq`. */
  private render(seq: number): void {
    const bar = this.bars.get(seq);
    if (!bar) return;
    const ui = this.host.strings();
    const rating = this.ratings.get(seq)?.rating;
    bar.root.setAttribute("aria-label", ui.rate);
    bar.root.dataset.rating = rating ?? "";
    for (const [button, value, label] of [[bar.up, "up", ui.helpful], [bar.down, "down", ui.notHelpful]] as const) {
      button.setAttribute("aria-pressed", String(rating === value));
      button.setAttribute("aria-label", label);
      button.title = label;
    }
    if (bar.comment) {
      bar.comment.input.setAttribute("aria-label", ui.commentLabel);
      bar.comment.input.placeholder = ui.commentPlaceholder;
      bar.comment.send.textContent = ui.send;
      bar.comment.skip.textContent = ui.skip;
    }
  }

  /** A click on a thumb: rate, switch, or clear when it was already pressed. */
  private async choose(seq: number, rating: Rating): Promise<void> {
    const bar = this.bars.get(seq);
    if (!bar) return;
    const current = this.ratings.get(seq);
    const next = current?.rating === rating ? null : rating;
    const saved = await this.put(seq, next, "");
    if (!saved) return;
    if (next === "down") {
      bar.note.textContent = "";  // thanked once the comment is sent or skipped
      this.openComment(seq);
    } else {
      this.closeComment(seq, false);
    }
  }

  private async sendComment(seq: number): Promise<void> {
    const comment = this.bars.get(seq)?.comment;
    if (!comment) return;
    if (await this.put(seq, "down", comment.input.value.trim())) this.closeComment(seq, true);
  }

  /** PUTs the rating; true when the server stored it. A 409 (not rateable) removes the bar; a 429
   *  (the conversation's FEEDBACK_WRITES_PER_MIN spent) keeps the previous rating and says to wait. */
  private async put(seq: number, rating: Rating | null, comment: string): Promise<boolean> {
    const session = this.host.session();
    const bar = this.bars.get(seq);
    if (!session || !bar) return false;
    const ui = this.host.strings();
    bar.root.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(this.url(session, seq), {
        method: "PUT",
        headers: { Authorization: `Bearer ${session.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ rating, comment }),
        credentials: "omit",
      });
      if (response.status === 409) {
        bar.root.remove();
        this.bars.delete(seq);
        return false;
      }
      if (response.status === 429) {
        bar.note.textContent = ui.tooMany;
        return false;
      }
      if (!response.ok) throw new Error(String(response.status));
      const stored = (await response.json().catch(() => null)) as { updated_at?: string | null } | null;
      this.newest(seq, stored?.updated_at);
      if (rating) this.ratings.set(seq, { rating, comment });
      else this.ratings.delete(seq);
      this.persist();
      this.render(seq);
      bar.note.textContent = rating ? ui.thanks : "";
      return true;
    } catch {
      bar.note.textContent = ui.failed;
      return false;
    } finally {
      bar.root.removeAttribute("aria-busy");
    }
  }
}
