// The rooms panel's controls for a signed-in user (user-session.ts): a "New room" form (name,
// private, end-to-end encrypted — encryption needs a private room, docs/e2ee.md), the Invite
// button of a room the user owns or administers (a link to this page that joins the room), and
// joining from such a link (`?room=<id>&invite=<token>`).

import { apiCall } from "./e2ee/api.js";
import { e2eeStrings } from "./e2ee-i18n.js";
import { el } from "./dom.js";

let formIds = 0;

/**
 * The "New room" form; `created(room)` gets the new room (`POST /api/v1/rooms`). Errors are shown
 * in the form.
 */
export function roomCreateForm(origin: string, token: () => string, lang: string,
                               created: (room: any) => void): HTMLFormElement {
  const ui = e2eeStrings(lang);
  const id = `room-create-${++formIds}`;
  const form = el("form", "room-create");
  const name = el("input", "room-create-name");
  name.maxLength = 100;
  name.required = true;
  name.placeholder = ui.roomName;
  name.setAttribute("aria-label", ui.roomName);
  const privateBox = el("input", "room-create-private");
  privateBox.type = "checkbox";
  privateBox.id = `${id}-private`;
  const privateLabel = el("label", "", ui.private);
  privateLabel.htmlFor = privateBox.id;
  const e2eeBox = el("input", "room-create-e2ee");
  e2eeBox.type = "checkbox";
  e2eeBox.id = `${id}-e2ee`;
  e2eeBox.disabled = true;
  const e2eeLabel = el("label", "", ui.encrypted);
  e2eeLabel.htmlFor = e2eeBox.id;
  privateBox.addEventListener("change", () => {
    e2eeBox.disabled = !privateBox.checked;
    if (!privateBox.checked) e2eeBox.checked = false;
  });
  const submit = el("button", "room-create-submit", ui.create);
  submit.type = "submit";
  const error = el("p", "room-create-error");
  error.setAttribute("aria-live", "polite");
  const row1 = el("div", "room-create-row");
  row1.append(privateBox, privateLabel);
  const row2 = el("div", "room-create-row");
  row2.append(e2eeBox, e2eeLabel);
  form.append(el("h3", "room-create-title", ui.newRoom), name, row1, row2, submit, error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body: Record<string, unknown> = { name: name.value.trim(), visibility: privateBox.checked ? "private" : "public" };
    if (e2eeBox.checked) body.e2ee = true;
    try {
      const room = await apiCall(origin, token, "POST", "/api/v1/rooms", body);
      name.value = "";
      created(room);
    } catch (e) {
      error.textContent = `${ui.createFailed}: ${(e as Error).message}`;
    }
  });
  return form;
}

/**
 * An Invite button for room `roomId`: creates an invite (7 days) and shows the link to this page
 * that joins the room (`?bot=…&room=<id>&invite=<token>`).
 */
export function inviteButton(origin: string, token: () => string, lang: string, roomId: string): HTMLElement {
  const ui = e2eeStrings(lang);
  const box = el("div", "room-invite");
  const button = el("button", "room-invite-button", ui.invite);
  button.type = "button";
  const out = el("p", "room-invite-link");
  button.addEventListener("click", async () => {
    try {
      const invite = await apiCall(origin, token, "POST", `/api/v1/rooms/${roomId}/invites`, { ttl_seconds: 604800 });
      const link = new URL(location.href);
      link.searchParams.set("room", roomId);
      link.searchParams.set("invite", invite.token);
      const code = el("code", "room-invite-url", link.toString());
      out.replaceChildren(`${ui.inviteLink} `, code);
    } catch (e) {
      out.textContent = (e as Error).message;
    }
  });
  box.append(button, out);
  return box;
}

/** The room id and invite token of an invite link this page was opened with, or null. */
export function inviteFromUrl(): { roomId: string; token: string } | null {
  const params = new URLSearchParams(location.search);
  const roomId = params.get("room");
  const token = params.get("invite");
  return roomId && token ? { roomId, token } : null;
}

/** Joins room `roomId` with invite `invite` (`POST /api/v1/rooms/{id}/join`); resolves with the room. */
export function joinWithInvite(origin: string, token: () => string, roomId: string, invite: string): Promise<any> {
  return apiCall(origin, token, "POST", `/api/v1/rooms/${encodeURIComponent(roomId)}/join`, { invite_token: invite });
}
