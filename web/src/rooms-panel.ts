// The chat page's rooms panel (docs/protocol.md "Rooms", docs/api.md "Rooms"): the tenant's
// public rooms for the widget visitor of this page, joining one, its messages (membership events
// included), who is online and who is typing. It uses the page's visitor token and a WebSocket of
// its own; everything shown is set as text (never HTML).

import type { WidgetSession } from "./protocol.js";
import { RoomOnline } from "./room-online.js";
import { roomStrings, type RoomStrings } from "./rooms-i18n.js";
import { signedInUser } from "./user-session.js";
import { inviteButton, inviteFromUrl, joinWithInvite, roomCreateForm } from "./room-create-form.js";
import { e2eeStrings } from "./e2ee-i18n.js";
import { deviceFor } from "./e2ee/device-keystore.js";
import { EncryptedRoom } from "./e2ee/encrypted-room.js";
import { EncryptedRoomView, lockBadge, type WireMessage } from "./e2ee/room-view.js";
import { RoomExtras } from "./room-extras.js";
import { el } from "./dom.js";

interface Room { id: string; name: string; topic: string; member_count: number; my_role: string | null; visibility?: string; e2ee?: boolean }
interface Member { kind: string; id: string; name: string }
interface RoomMessage {
  seq: number;
  message: WireMessage;
}

// The gateway relays one `start` per 2 s per socket; a repeat every 2.5 s is always relayed (at
// 2.000 s timer jitter dropped about half of them) and well inside the 6 s expiry.
const typingEveryMs = 2500;
const presenceEveryMs = 5000;  // room.presence is re-read (a killed replica sends no `leave`)
// `presence` events are applied to the list (RoomOnline); it is read in full only on join/resume,
// every presenceEveryMs, and when an event cannot be applied.

/** Renders into `root` (an empty <aside>); call setSession() once the page has a session. */
export class RoomsPanel {
  private session: WidgetSession | null = null;
  private ui: RoomStrings = roomStrings("en");
  private ws: WebSocket | null = null;
  private room: Room | null = null;
  private lastSeq = 0;
  private shown = new Set<number>();
  private typers = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();
  private lastTypingSent = 0;
  private presenceTimer: ReturnType<typeof setInterval> | undefined;
  private readonly presence = new RoomOnline();
  private readonly list = el("ul", "room-list");
  private readonly view = el("section", "room-view");
  private readonly heading = el("h3", "room-name");
  private readonly online = el("p", "room-online");
  private readonly log = el("ol", "room-messages");
  private readonly typing = el("p", "room-typing");
  private readonly input = el("input", "room-input");
  private readonly title = el("h2", "rooms-title");
  // Signed in to the dashboard on this origin: the panel acts as that user (user-session.ts),
  // which private and end-to-end encrypted rooms need (e2ee/room-view.ts).
  private readonly user = signedInUser();
  private secure: EncryptedRoomView | null = null;
  private invite: HTMLElement | null = null;
  private form!: HTMLFormElement;
  private createForm: HTMLFormElement | null = null;
  private extras!: RoomExtras;  // edits, files and calls of plain rooms (room-extras.ts)

  constructor(private readonly root: HTMLElement, private readonly origin: string) {
    const back = el("button", "room-back");
    back.type = "button";
    back.addEventListener("click", () => this.close());
    const form = el("form", "room-composer");
    this.form = form;
    const send = el("button", "room-send");
    send.type = "submit";
    this.input.maxLength = 4000;
    this.input.addEventListener("input", () => this.typed());
    form.append(this.input, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.typing.setAttribute("aria-live", "polite");
    this.view.hidden = true;
    this.view.append(back, this.heading, this.online, this.log, this.typing, form);
    root.append(this.title, this.list, this.view);
    this.extras = new RoomExtras(this.online, form, origin, {
      frame: (f) => this.frame(f), token: () => this.token(), lang: () => this.session?.bot.language ?? "en",
      me: () => (this.user ? { kind: "operator", id: this.user.userId } : { kind: "visitor", id: this.session?.visitor.id ?? "" }),
      roomId: () => this.room?.id ?? null,
    });
  }

  /** The page's (new or renewed) session: its token is used from now on. */
  setSession(session: WidgetSession): void {
    const first = !this.session;
    this.session = session;
    this.ui = roomStrings(session.bot.language);
    this.title.textContent = this.ui.title;
    (this.view.querySelector(".room-back") as HTMLButtonElement).textContent = this.ui.back;
    (this.view.querySelector(".room-send") as HTMLButtonElement).textContent = this.ui.send;
    this.input.placeholder = this.ui.placeholder;
    this.input.setAttribute("aria-label", this.ui.placeholder);
    this.root.hidden = false;
    if (first && this.user) {
      this.createForm = roomCreateForm(this.origin, () => this.token(), session.bot.language, (room) => void this.open(room));
      this.root.append(this.createForm);
    }
    if (first) void this.refresh().then(() => this.openInvite());
  }

  /** The signed-in user's token when there is one, else the page's visitor token. */
  private token(): string {
    return (this.user ? signedInUser()?.token : undefined) ?? this.session!.token;
  }

  /** Joins and opens the room of an invite link the page was opened with. */
  private async openInvite(): Promise<void> {
    const invite = inviteFromUrl();
    if (!invite || !this.user) return;
    try {
      await this.open(await joinWithInvite(this.origin, () => this.token(), invite.roomId, invite.token));
    } catch (error) {
      console.warn("invite", error);
    }
  }

  private async api(method: string, route: string): Promise<any> {
    const response = await fetch(this.origin + route, {
      method, headers: { Authorization: `Bearer ${this.token()}` },
    });
    if (!response.ok) throw new Error(`${response.status}`);
    return response.json();
  }

  /** Lists the tenant's public rooms. */
  async refresh(): Promise<void> {
    this.list.replaceChildren();
    try {
      let { rooms } = await this.api("GET", "/api/v1/rooms?scope=public");
      if (this.user) {
        const mine = (await this.api("GET", "/api/v1/rooms?scope=mine")).rooms as Room[];
        rooms = [...mine, ...(rooms as Room[]).filter((r) => !mine.some((m) => m.id === r.id))];
      }
      if (!rooms.length) this.list.append(el("li", "room-empty", this.ui.empty));
      for (const room of rooms as Room[]) {
        const item = el("li", "room-item");
        const name = el("span", "room-item-name", room.name);
        if (room.e2ee) name.append(" ", lockBadge(e2eeStrings(this.session!.bot.language)));
        const count = el("span", "room-item-count", `${room.member_count} ${this.ui.members}`);
        const button = el("button", "room-join", room.my_role ? this.ui.open : this.ui.join);
        button.type = "button";
        button.addEventListener("click", () => void this.open(room));
        item.append(name, count, button);
        this.list.append(item);
      }
    } catch {
      this.list.append(el("li", "room-empty", this.ui.error));
    }
  }

  /** Joins (when not a member) and opens `room`. */
  async open(room: Room): Promise<void> {
    if (!room.my_role) room = await this.api("POST", `/api/v1/rooms/${room.id}/join`);
    this.close();
    this.room = room;
    this.lastSeq = 0;
    this.shown.clear();
    this.log.replaceChildren();
    this.heading.textContent = room.name;
    this.list.hidden = true;
    if (this.createForm) this.createForm.hidden = true;
    this.view.hidden = false;
    if (this.user && room.visibility === "private" && (room.my_role === "owner" || room.my_role === "admin")) {
      this.invite = inviteButton(this.origin, () => this.token(), this.session!.bot.language, room.id);
      this.online.after(this.invite);
    }
    if (room.e2ee && this.user) {
      let device;
      try {
        device = await deviceFor(this.origin, () => this.token(), this.user.userId);
      } catch (error) {
        // Without a device nothing can be decrypted: the room is not shown (never its ciphertext).
        console.warn("e2ee device", error);
        this.online.textContent = this.ui.error;
        return;
      }
      if (this.room !== room) return;
      this.secure = new EncryptedRoomView(new EncryptedRoom(this.origin, () => this.token(), room.id, device), {
        frame: (f) => this.frame(f), userId: this.user.userId, lang: () => this.session!.bot.language,
      }, this.heading, this.form, this.input);
    }
    this.extras.show(!this.secure);
    this.connect();
    this.presenceTimer = setInterval(() => this.readPresence(), presenceEveryMs);
  }

  private close(): void {
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    this.secure?.dispose();
    this.secure = null;
    this.invite?.remove();
    this.invite = null;
    this.ws?.close();
    this.ws = null;
    this.room = null;
    this.extras.show(false);
    for (const t of this.typers.values()) clearTimeout(t.timer);
    this.typers.clear();
    this.renderTyping();
    this.view.hidden = true;
    this.list.hidden = false;
    if (this.createForm) this.createForm.hidden = false;
  }

  private connect(): void {
    const room = this.room!;
    const url = new URL("/ws", this.origin.replace(/^http/, "ws"));
    url.search = `?token=${encodeURIComponent(this.token())}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.presence.reset();
      this.frame({ type: "room.join", room_id: room.id, since_seq: this.lastSeq });
    };
    ws.onmessage = (event) => this.handle(JSON.parse(String(event.data)));
    // Any close but ours: resume from the last seq after a moment.
    ws.onclose = () => {
      if (this.ws === ws && this.room === room) setTimeout(() => this.room === room && this.connect(), 1000);
    };
  }

  private frame(frame: object): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private handle(frame: any): void {
    const room = this.room;
    if (!room) return;
    if (this.extras.handle(frame)) return;
    if (frame.type === "room.joined") this.readPresence();
    else if (frame.type === "message.new" && frame.conversation_id === room.id) this.message(frame);
    else if (frame.type === "room.presence" && frame.room_id === room.id) {
      this.presence.list(frame.online);
      this.renderOnline();
      if (this.presence.needList()) this.readPresence();
    } else if (frame.type === "presence" && frame.conversation_id === room.id) {
      if (this.presence.event(frame)) this.renderOnline();
      if (this.presence.needList()) this.readPresence();
      if (frame.state === "join") this.secure?.membershipChanged();
    } else if ((frame.type === "message.edited" || frame.type === "message.deleted") && frame.conversation_id === room.id) {
      this.changed(frame.target_seq, frame.message);
    } else if (frame.type === "message.ack") this.secure?.acked(frame.client_id);
    else if (frame.type === "error" && frame.conversation_id === room.id) {
      this.extras.refused(frame.code);
      this.presence.failed();  // maybe the room.presence read: the periodic read retries
      void this.secure?.refused(frame.code, frame.client_id);
    } else if (frame.type === "typing" && frame.conversation_id === room.id) this.typingFrame(frame);
  }

  private message(frame: RoomMessage): void {
    if (this.shown.has(frame.seq)) return;
    this.shown.add(frame.seq);
    this.lastSeq = Math.max(this.lastSeq, frame.seq);
    const { sender, text, event } = frame.message;
    this.stopTyper(sender.id);
    let item: HTMLLIElement;
    if (event) {
      const verb = event === "member.joined" ? this.ui.joined : event === "member.left" ? this.ui.left
        : event === "member.removed" ? this.ui.removed : text;
      item = el("li", "room-event", `${sender.name} ${verb}`);
      this.secure?.membershipChanged(sender);
    } else if (this.secure) {
      item = el("li", `room-msg room-msg-${sender.kind}`);
      item.dataset.seq = String(frame.seq);
      this.secure.render(item, frame.seq, frame.message);
    } else {
      item = el("li", `room-msg room-msg-${sender.kind}`);
      item.append(el("span", "who", sender.name), el("p", "text", text));
    }
    item.dataset.seq = String(frame.seq);
    if (!event && !this.secure) this.extras.render(item, frame.seq, frame.message);
    this.log.append(item);
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** Sends room.presence (the full online list) unless the socket is not open. */
  private readPresence(): void {
    if (!this.room || this.ws?.readyState !== WebSocket.OPEN) return;
    this.presence.requested();
    this.frame({ type: "room.presence", room_id: this.room.id });
  }

  /** A message.edited / message.deleted frame: the bubble of `targetSeq` shows the new state. */
  private changed(targetSeq: number, message: WireMessage): void {
    const item = this.log.querySelector<HTMLElement>(`li[data-seq="${targetSeq}"]`);
    if (!item) return;
    if (this.secure) return this.secure.changed(item, targetSeq, message);
    this.extras.changed(item as HTMLLIElement, targetSeq, message);
  }

  private renderOnline(): void {
    const online = this.presence.members();
    this.online.textContent = `${this.ui.online} (${online.length}): ${online.map((m) => m.name).join(", ")}`;
    if (!this.secure) this.extras.online(online);
  }

  private typingFrame(frame: { state: string; sender: Member; expires_in_ms?: number }): void {
    if (frame.state !== "start") return this.stopTyper(frame.sender.id);
    this.stopTyper(frame.sender.id);
    // A start that is not repeated within expires_in_ms is over.
    const timer = setTimeout(() => this.stopTyper(frame.sender.id), frame.expires_in_ms ?? 6000);
    this.typers.set(frame.sender.id, { name: frame.sender.name, timer });
    this.renderTyping();
  }

  private stopTyper(id: string): void {
    const typer = this.typers.get(id);
    if (!typer) return;
    clearTimeout(typer.timer);
    this.typers.delete(id);
    this.renderTyping();
  }

  private renderTyping(): void {
    const names = [...this.typers.values()].map((t) => t.name);
    this.typing.textContent = names.length ? `${names.join(", ")} ${this.ui.typing}` : "";
  }

  private typed(): void {
    if (!this.room || Date.now() - this.lastTypingSent < typingEveryMs) return;
    this.lastTypingSent = Date.now();
    this.frame({ type: "typing", conversation_id: this.room.id, state: "start" });
  }

  private send(): void {
    const text = this.input.value.trim();
    if (!text || !this.room) return;
    if (this.secure) {
      void this.secure.send(text);
      this.frame({ type: "typing", conversation_id: this.room.id, state: "stop" });
      this.lastTypingSent = 0;
      this.input.value = "";
      return;
    }
    const clientId = `r-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.frame({ type: "message.send", conversation_id: this.room.id, client_id: clientId, text });
    this.frame({ type: "typing", conversation_id: this.room.id, state: "stop" });
    this.lastTypingSent = 0;
    this.input.value = "";
  }
}
