// edits: the chat page's controls on the visitor's own messages (docs/protocol.md "Editing and
// deleting"): Edit (inline, Save / Cancel) and Delete within the 5-minute window, the "edited"
// label, and tombstones. Frames go through WidgetClient.change(); the new state comes back as
// `message.edited` / `message.deleted` (ClientEvents.changed).

import type { ChatMessage } from "./protocol.js";
import type { EditStrings } from "./edits-calls-i18n.js";

/** How long after posting the author may change a message (EDIT_WINDOW_MS default). */
export const editWindowMs = 5 * 60 * 1000;

/** What the controls need from the page. */
export interface EditPort {
  /** Sends message.edit (text) or message.delete (null); false when offline. */
  change(seq: number, text: string | null): boolean;
  strings(): EditStrings;
  /** Renders `message`'s text into the bubble's `.text` element. */
  fill(item: HTMLLIElement, message: ChatMessage): void;
}

/** Decorates message bubbles. */
export class MessageEdits {
  constructor(private readonly port: EditPort) {}

  /**
   * Shows `message`'s edit state on `item` (the bubble of `seq`): a tombstone, the "edited"
   * label, and, when `own` and still within the window, the Edit / Delete buttons.
   */
  decorate(item: HTMLLIElement, seq: number, message: ChatMessage, own: boolean): void {
    const s = this.port.strings();
    item.querySelector(".edit-controls")?.remove();
    item.querySelector(".edited")?.remove();
    if (message.deleted) {
      item.classList.add("deleted");
      item.querySelector(".sources")?.remove();
      const body = item.querySelector<HTMLElement>(".text")!;
      body.textContent = s.deleted;
      return;
    }
    if (message.edited_at) {
      const label = document.createElement("span");
      label.className = "edited";
      label.textContent = s.edited;
      label.title = message.edited_at;
      item.append(label);
    }
    const age = Date.now() - Date.parse(message.created_at);
    if (!own || !(age < editWindowMs)) return;
    const controls = document.createElement("span");
    controls.className = "edit-controls";
    const edit = this.button(s.edit, "edit", () => this.startEdit(item, seq, message));
    const remove = this.button(s.delete, "delete", () => {
      if (confirm(s.confirmDelete)) this.port.change(seq, null);
    });
    controls.append(edit, remove);
    item.append(controls);
    // The buttons go away when the window closes.
    setTimeout(() => controls.remove(), Math.max(0, editWindowMs - age));
  }

  /** A change arrived (ClientEvents.changed): re-render the bubble. */
  apply(item: HTMLLIElement, seq: number, message: ChatMessage, own: boolean): void {
    item.querySelector("form.edit-form")?.remove();
    item.querySelector<HTMLElement>(".text")!.hidden = false;
    if (!message.deleted) this.port.fill(item, message);
    this.decorate(item, seq, message, own);
  }

  private button(label: string, action: string, onClick: () => void): HTMLButtonElement {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `edit-${action}`;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  private startEdit(item: HTMLLIElement, seq: number, message: ChatMessage): void {
    if (item.querySelector("form.edit-form")) return;
    const s = this.port.strings();
    const body = item.querySelector<HTMLElement>(".text")!;
    const form = document.createElement("form");
    form.className = "edit-form";
    const area = document.createElement("textarea");
    area.maxLength = 4000;
    area.value = message.text;
    area.setAttribute("aria-label", s.edit);
    const save = document.createElement("button");
    save.type = "submit";
    save.textContent = s.save;
    const cancel = this.button(s.cancel, "cancel", () => {
      form.remove();
      body.hidden = false;
    });
    form.append(area, save, cancel);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = area.value.trim();
      if (!text || text === message.text) return cancel.click();
      if (this.port.change(seq, text)) save.disabled = true;
    });
    body.hidden = true;
    body.after(form);
    area.focus();
  }
}
