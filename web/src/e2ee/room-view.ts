// An encrypted room open in the chat page's rooms panel (rooms-panel.ts delegates to this when
// the room has `"e2ee": true`): the lock badge and the "bot and /ai unavailable" notice, message
// texts decrypted for display (a text that cannot be decrypted shows a placeholder, never the
// ciphertext), sending and editing through envelopes with one retry after `key_epoch_stale` /
// `key_conflict` (re-read keys, rotate when the new epoch has none), encrypted attachments
// (decrypted into blob: URLs; pictures shown inline), and key sharing when members come and go.

import { e2eeStrings, type E2eeStrings } from "../e2ee-i18n.js";
import { ApiError } from "./api.js";
import { EncryptedRoom, type Opened } from "./encrypted-room.js";
import { paperclipIcon } from "../attachments.js";
import { el, strokeIcon } from "../dom.js";
import { VerifyPanel } from "./verify-panel.js";

interface Sender { kind: string; id: string; name: string }
interface WireAttachment { id: string; url: string }
/** A message.new / message.edited frame's message. */
export interface WireMessage { sender: Sender; text: string; created_at?: string; event?: string; edited_at?: string; deleted?: boolean; attachment?: WireAttachment }

/** What the view needs from the panel. */
export interface RoomPort {
  /** Sends a WebSocket frame; false when the socket is not open. */
  frame(frame: object): boolean;
  /** The id of the signed-in user (own messages may be edited). */
  userId: string;
  lang(): string;
}

/** How long after posting the author may edit (EDIT_WINDOW_MS default, docs/protocol.md). */
const editWindowMs = 5 * 60 * 1000;

/** A lock icon (inline SVG, no emoji font needed). */
export function lockIcon(): SVGSVGElement {
  return strokeIcon("M7 10V7a5 5 0 0 1 10 0v3M5 10h14v11H5z", 16);
}

/** The lock badge shown beside an encrypted room's name. */
export function lockBadge(ui: E2eeStrings): HTMLSpanElement {
  const badge = el("span", "e2ee-badge");
  badge.setAttribute("role", "img");
  badge.setAttribute("aria-label", ui.badge);
  badge.title = ui.badge;
  badge.append(lockIcon());
  return badge;
}

/** The encrypted-room parts of the panel's room view. */
export class EncryptedRoomView {
  private readonly notice = el("p", "e2ee-notice");
  private readonly status = el("p", "e2ee-status");
  private readonly attach = el("button", "e2ee-attach");
  private readonly file = el("input");
  private readonly cancelEdit = el("button", "e2ee-cancel-edit");
  private readonly pendingSends = new Map<string, { text: string; retried: boolean }>();
  private editing: { seq: number } | null = null;
  private placeholder = "";
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private waits = 0;
  private readonly unreadable = new Map<number, { item: HTMLElement; message: WireMessage }>();
  private ui: E2eeStrings;
  /** Safety numbers and the guard that withholds keys from devices added since verification. */
  private readonly verify: VerifyPanel;
  /** Names of senders seen so far (a file's upload message may come without one). */
  private readonly names = new Map<string, string>();

  constructor(private readonly room: EncryptedRoom, private readonly port: RoomPort,
              private readonly header: HTMLElement, form: HTMLFormElement,
              private readonly input: HTMLInputElement) {
    this.ui = e2eeStrings(port.lang());
    header.append(lockBadge(this.ui));
    this.notice.textContent = this.ui.notice;
    this.notice.setAttribute("role", "note");
    this.status.setAttribute("aria-live", "polite");
    this.header.after(this.notice);
    this.notice.after(this.status);
    this.verify = new VerifyPanel(room.origin, room.token, room.roomId, port.userId, port.lang(), room.keys, this.status);
    this.attach.type = "button";
    this.attach.append(paperclipIcon());
    this.attach.setAttribute("aria-label", this.ui.attach);
    this.attach.title = this.ui.attach;
    this.file.type = "file";
    this.file.hidden = true;
    this.file.className = "e2ee-file";
    this.attach.addEventListener("click", () => this.file.click());
    this.file.addEventListener("change", () => void this.pickFile());
    this.cancelEdit.type = "button";
    this.cancelEdit.textContent = this.ui.cancel;
    this.cancelEdit.hidden = true;
    this.cancelEdit.addEventListener("click", () => this.stopEditing());
    form.prepend(this.attach, this.file);
    form.append(this.cancelEdit);
    void this.sync();
  }

  /** Removes what the view added to the panel (the room was closed). */
  dispose(): void {
    clearTimeout(this.syncTimer);
    this.header.querySelector(".e2ee-badge")?.remove();
    this.notice.remove();
    this.status.remove();
    this.verify.dispose();
    this.attach.remove();
    this.file.remove();
    this.cancelEdit.remove();
  }

  /**
   * Reads the room's keys (creating/sharing as needed). While this device lacks the current key
   * it re-reads with a growing pause (1 s … 10 s, at most 60 times) and re-renders what it could
   * not decrypt once a key arrives.
   */
  private async sync(): Promise<void> {
    clearTimeout(this.syncTimer);
    try {
      await this.room.keys.sync();
    } catch (error) {
      console.warn("e2ee key sync", error);
    }
    const hasKey = !!this.room.keys.current();
    this.status.textContent = hasKey ? "" : this.ui.noKey;
    if (hasKey) {
      this.waits = 0;
      for (const [seq, { item, message }] of [...this.unreadable]) {
        this.unreadable.delete(seq);
        void this.fill(item, seq, message);
      }
    } else if (this.waits < 60) {
      this.syncTimer = setTimeout(() => void this.sync(), Math.min(10000, 1000 * ++this.waits));
    }
  }

  /**
   * A membership event (its member `sender`) or a presence change: share the key with
   * newcomers, rotate after a departure.
   */
  membershipChanged(sender?: Sender): void {
    if (sender?.name) this.names.set(sender.id, sender.name);
    void this.sync();
  }

  /** Renders a message of the room into `item` (its `.text` filled once decrypted). */
  render(item: HTMLElement, seq: number, message: WireMessage): void {
    const { id, name } = message.sender;
    if (name) this.names.set(id, name);
    item.append(el("span", "who", name || this.names.get(id) || ""), el("p", "text", "…"));
    void this.fill(item, seq, message);
  }

  /** A `message.edited` / `message.deleted` frame: re-renders the message's bubble. */
  changed(item: HTMLElement, seq: number, message: WireMessage): void {
    void this.fill(item, seq, message);
  }

  private async fill(item: HTMLElement, seq: number, message: WireMessage): Promise<void> {
    const body = item.querySelector<HTMLElement>(".text")!;
    item.querySelector(".e2ee-file-box")?.remove();
    item.querySelector(".e2ee-edited")?.remove();
    item.querySelector(".e2ee-edit")?.remove();
    if (message.deleted) {
      body.textContent = "—";
      return;
    }
    if (message.attachment && message.text === "\u{1F4CE} encrypted.bin") {
      // The bare upload message of a client that sends the file's envelope separately
      // (docs/e2ee.md "Files"): that envelope shows the file; this one has nothing to show.
      item.hidden = true;
      return;
    }
    const opened: Opened = await this.room.openText(message.text);
    if (!opened.ok) {
      body.textContent = this.ui.unreadable;
      item.classList.add("e2ee-unreadable");
      if (opened.why === "no_key") this.unreadable.set(seq, { item, message });
      return;
    }
    item.classList.remove("e2ee-unreadable");
    body.textContent = opened.plain.text;
    body.hidden = !opened.plain.text && !!opened.plain.attachment;
    const fileId = opened.plain.attachment?.id;
    const wire = message.attachment ?? (fileId && /^[A-Za-z0-9-]{1,64}$/.test(fileId) ? { id: fileId, url: `/api/v1/attachments/${fileId}` } : undefined);
    if (opened.plain.attachment && wire) this.renderFile(item, opened, wire);
    if (message.edited_at) item.append(el("span", "e2ee-edited", this.ui.edited));
    const own = message.sender.kind === "operator" && message.sender.id === this.port.userId;
    const created = Date.parse(message.created_at ?? "") || Date.now();
    if (own && !opened.plain.attachment && Date.now() - created < editWindowMs) {
      const edit = el("button", "e2ee-edit", this.ui.edit);
      edit.type = "button";
      edit.addEventListener("click", () => this.startEditing(seq, opened.ok ? opened.plain.text : ""));
      item.append(edit);
    }
  }

  private renderFile(item: HTMLElement, opened: Extract<Opened, { ok: true }>, wire: WireAttachment): void {
    const meta = opened.plain.attachment!;
    const box = el("div", "e2ee-file-box");
    const url = this.room.fileUrl(wire.url, opened.epoch, opened.keyId, meta.type);
    if (meta.type.startsWith("image/")) {
      const img = el("img", "e2ee-image");
      img.alt = meta.name;
      url.then((src) => { img.src = src; }, () => { img.alt = `${meta.name} (${this.ui.fileUnavailable})`; });
      box.append(img);
    } else {
      const link = el("a", "e2ee-file-link", `${meta.name} · ${Math.max(1, Math.round(meta.size / 1024))} KB`);
      link.href = "#";
      link.addEventListener("click", (event) => {
        event.preventDefault();
        url.then((src) => {
          const a = el("a");
          a.href = src;
          a.download = meta.name;
          a.click();
        }, () => { link.textContent = `${meta.name} (${this.ui.fileUnavailable})`; });
      });
      box.append(link);
    }
    item.append(box);
  }

  private startEditing(seq: number, text: string): void {
    if (!this.editing) this.placeholder = this.input.placeholder;
    this.editing = { seq };
    this.input.value = text;
    this.input.placeholder = this.ui.editing;
    this.cancelEdit.hidden = false;
    this.input.focus();
  }

  private stopEditing(): void {
    this.editing = null;
    this.input.value = "";
    this.input.placeholder = this.placeholder;
    this.cancelEdit.hidden = true;
  }

  /** Encrypts and sends `text` (or the edit being made); false when it could not be sent. */
  async send(text: string): Promise<boolean> {
    try {
      const envelope = await this.room.sealText({ text });
      if (this.editing) {
        const { seq } = this.editing;
        this.stopEditing();
        return this.port.frame({ type: "message.edit", conversation_id: this.room.roomId, seq, text: envelope });
      }
      const clientId = `e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      this.pendingSends.set(clientId, { text, retried: false });
      if (this.pendingSends.size > 100) this.pendingSends.delete(this.pendingSends.keys().next().value!);
      return this.port.frame({ type: "message.send", conversation_id: this.room.roomId, client_id: clientId, text: envelope });
    } catch (error) {
      this.status.textContent = `${this.ui.sendFailed}: ${error instanceof ApiError ? error.code : String(error)}`;
      return false;
    }
  }

  /** A message.ack: the send went through. */
  acked(clientId: string): void {
    this.pendingSends.delete(clientId);
  }

  /**
   * An `error` frame of the room: after `key_epoch_stale` / `key_conflict` for one of our sends,
   * re-reads the keys (rotating when the epoch moved on) and sends it once more.
   */
  async refused(code: string, clientId: string | undefined): Promise<void> {
    const pending = clientId ? this.pendingSends.get(clientId) : undefined;
    if (clientId) this.pendingSends.delete(clientId);
    if (code !== "key_epoch_stale" && code !== "key_conflict") {
      if (pending) this.status.textContent = `${this.ui.sendFailed}: ${code}`;
      return;
    }
    await this.sync();
    if (pending && !pending.retried) {
      const envelope = await this.room.sealText({ text: pending.text }).catch(() => null);
      if (!envelope) return;
      const retryId = `${clientId}-r`;
      this.pendingSends.set(retryId, { text: pending.text, retried: true });
      this.port.frame({ type: "message.send", conversation_id: this.room.roomId, client_id: retryId, text: envelope });
    } else if (pending) {
      this.status.textContent = `${this.ui.sendFailed}: ${code}`;
    }
  }

  private async pickFile(): Promise<void> {
    const file = this.file.files?.[0];
    this.file.value = "";
    if (!file) return;
    const clientId = `f-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.room.uploadFile(file, "", `${clientId}-${attempt}`);
        return;
      } catch (error) {
        const code = error instanceof ApiError ? error.code : "network";
        if (attempt === 0 && (code === "key_epoch_stale" || code === "key_conflict")) {
          await this.sync();
          continue;
        }
        this.status.textContent = `${this.ui.sendFailed}: ${code}`;
        return;
      }
    }
  }
}
