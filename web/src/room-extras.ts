// rooms: the plain (not end-to-end encrypted) room view's edits, files and calls — the chat
// page's own components reused for a room (issue 11 "Done when"): MessageEdits (Edit / Delete of
// own messages within EDIT_WINDOW_MS, docs/protocol.md "Editing and deleting"), the attachment
// upload and thumbnails (attachments.ts, docs/api.md "Attachments": POST
// /api/v1/conversations/{room_id}/attachments) and CallPanel (docs/protocol.md "Calls": room
// members call each other, `to` names the member). rooms-panel.ts hooks it in with a few lines.

import type { Attachment, CallFrame, ChatMessage, Sender, SenderKind } from "./protocol.js";
import { MessageEdits } from "./message-edits.js";
import { CallPanel } from "./call-panel.js";
import { callStrings, editStrings } from "./edits-calls-i18n.js";
import { t } from "./i18n.js";
import {
  acceptedTypes, isFileOnlyText, paperclipIcon, renderAttachment, uploadAttachment, uploadClientId, uploadErrorText,
} from "./attachments.js";

/** A room message as the panel gets it (message.new / message.edited `message`). */
export interface RoomWireMessage {
  sender: { kind: string; id: string; name: string };
  text: string;
  created_at?: string;
  edited_at?: string;
  deleted?: boolean;
  attachment?: unknown;
}

/** What the extras need from the rooms panel. */
export interface RoomExtrasPort {
  /** Sends a WebSocket frame on the room's socket; false when it is not open. */
  frame(frame: object): boolean;
  /** The bearer token of the panel (the signed-in user's or the visitor's). */
  token(): string;
  /** The page language (en, ru, uz). */
  lang(): string;
  /** This page's holder as a room sender: {kind: "visitor"|"operator", id}. */
  me(): { kind: string; id: string };
  /** The open room's id, or null. */
  roomId(): string | null;
}

/** A room member's sender kind as a call party kind: a signed-in user calls as "operator". */
function callKind(kind: string): SenderKind {
  return kind === "visitor" ? "visitor" : "operator";
}

/** Edit / Delete, the paperclip, thumbnails and the Call button of one rooms panel. */
export class RoomExtras {
  private readonly edits: MessageEdits;
  private readonly calls: CallPanel;
  private readonly bar = document.createElement("div");
  private readonly callTo = document.createElement("select");
  private readonly attach = document.createElement("button");
  private readonly file = document.createElement("input");
  private readonly status = document.createElement("p");
  private members: Sender[] = [];

  /** Adds the call bar after `online` and the paperclip to `composer` (hidden until show()). */
  constructor(online: HTMLElement, composer: HTMLFormElement, private readonly origin: string,
              private readonly port: RoomExtrasPort) {
    this.edits = new MessageEdits({
      change: (seq, text) => {
        const room = port.roomId();
        if (!room) return false;
        return port.frame(text === null ? { type: "message.delete", conversation_id: room, seq }
          : { type: "message.edit", conversation_id: room, seq, text });
      },
      strings: () => editStrings(port.lang()),
      fill: (item, message) => this.fill(item, message),
    });
    this.bar.className = "room-call";
    this.callTo.className = "room-call-to";
    this.callTo.addEventListener("change", () => this.pickCallee());
    this.bar.append(this.callTo);
    this.calls = new CallPanel(this.bar, {
      send: (frame) => {
        const room = port.roomId();
        return room ? port.frame({ ...frame, conversation_id: room }) : false;
      },
      strings: () => callStrings(port.lang()),
    });
    online.after(this.bar);
    this.attach.type = "button";
    this.attach.className = "room-attach";
    this.attach.replaceChildren(paperclipIcon());
    this.file.type = "file";
    this.file.className = "room-file";
    this.file.accept = acceptedTypes;
    this.file.hidden = true;
    this.attach.addEventListener("click", () => this.file.click());
    this.file.addEventListener("change", () => void this.upload());
    composer.prepend(this.attach, this.file);
    this.status.className = "room-extras-status";
    this.status.setAttribute("aria-live", "polite");
    composer.after(this.status);
    this.show(false);
  }

  /** Shown for plain rooms only (an encrypted room view has its own controls). */
  show(visible: boolean): void {
    const s = callStrings(this.port.lang());
    this.callTo.setAttribute("aria-label", s.call);
    this.attach.setAttribute("aria-label", t(this.port.lang()).attach);
    this.bar.hidden = !visible;
    this.attach.hidden = !visible;
    this.status.textContent = "";
    if (!visible) this.online([]);
    this.calls.render();
  }

  /** Fills a new plain message bubble `item` (its `.text` exists) of `seq` and decorates it. */
  render(item: HTMLLIElement, seq: number, message: RoomWireMessage): void {
    const chat = this.chat(message);
    this.fill(item, chat);
    this.edits.decorate(item, seq, chat, this.own(message));
  }

  /** A message.edited / message.deleted frame for the bubble `item` of `seq`. */
  changed(item: HTMLLIElement, seq: number, message: RoomWireMessage): void {
    this.edits.apply(item, seq, this.chat(message), this.own(message));
  }

  /** The room's online members: the ones the Call button may ring (all but me). */
  online(members: { kind: string; id: string; name: string }[]): void {
    const me = this.port.me();
    const chosen = this.callTo.value;
    this.members = members.filter((m) => !(m.id === me.id && callKind(m.kind) === callKind(me.kind)))
      .map((m) => ({ kind: callKind(m.kind), id: m.id, name: m.name }));
    this.callTo.replaceChildren(...this.members.map((m) => {
      const option = document.createElement("option");
      option.value = `${m.kind}:${m.id}`;
      option.textContent = m.name;
      return option;
    }));
    if (this.members.some((m) => `${m.kind}:${m.id}` === chosen)) this.callTo.value = chosen;
    this.callTo.hidden = this.members.length < 2;
    this.pickCallee();
  }

  /** A server frame of the room's socket; true when it was a call frame (handled here). */
  handle(frame: { type?: string; conversation_id?: string }): boolean {
    if (typeof frame.type !== "string" || !frame.type.startsWith("call.")) return false;
    if (frame.type !== "call.config" && frame.conversation_id !== this.port.roomId()) return true;
    this.calls.handle(frame as CallFrame);
    return true;
  }

  /** An `error` frame of the room: edit window closed, call refusals. */
  refused(code: string): void {
    if (code === "edit_window_closed") this.status.textContent = editStrings(this.port.lang()).windowClosed;
    this.calls.refused(code);
  }

  private pickCallee(): void {
    const callee = this.members.find((m) => `${m.kind}:${m.id}` === this.callTo.value) ?? this.members[0] ?? null;
    this.calls.setOperator(callee);
  }

  private own(message: RoomWireMessage): boolean {
    const me = this.port.me();
    return message.sender.id === me.id && callKind(message.sender.kind) === callKind(me.kind);
  }

  private chat(message: RoomWireMessage): ChatMessage {
    return {
      id: "", sender: { kind: callKind(message.sender.kind), id: message.sender.id, name: message.sender.name },
      text: message.text, created_at: message.created_at ?? new Date().toISOString(),
      attachment: message.attachment as Attachment | undefined, edited_at: message.edited_at, deleted: message.deleted,
    };
  }

  private fill(item: HTMLLIElement, message: ChatMessage): void {
    const body = item.querySelector<HTMLElement>(".text")!;
    body.textContent = message.text;
    if (message.attachment) {
      body.hidden = isFileOnlyText(message.text, message.attachment);
      renderAttachment(item, message.attachment, this.origin, () => this.port.token(), t(this.port.lang()));
    }
  }

  private async upload(): Promise<void> {
    const file = this.file.files?.[0];
    this.file.value = "";
    const room = this.port.roomId();
    if (!file || !room) return;
    const ui = t(this.port.lang());
    this.status.textContent = `${file.name}…`;
    try {
      await uploadAttachment(this.origin, room, this.port.token(), file, uploadClientId());
      this.status.textContent = "";  // the message comes back as message.new
    } catch (error) {
      this.status.textContent = uploadErrorText(error, ui);
    }
  }
}
