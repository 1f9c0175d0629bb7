// The tenant user signed in to the dashboard on this origin (web/dashboard/src/api/session.ts
// keeps its tokens in localStorage under "botfactory.dashboard.session"). When present, the chat
// page's rooms panel acts as that user (private and encrypted rooms need a user, docs/api.md
// "Rooms"); the dashboard tab renews the access token, this page only reads it.

import { tokenExpiring } from "./token.js";

const storageKey = "botfactory.dashboard.session";

/** The signed-in user: the current access token and its `sub` (user id) and `username` claims. */
export interface SignedInUser { token: string; userId: string; username: string }

/** The dashboard's signed-in user of this origin, or null (signed out, expired, unreadable). */
export function signedInUser(): SignedInUser | null {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) ?? "null") as { access?: unknown } | null;
    const token = stored?.access;
    if (typeof token !== "string" || tokenExpiring(token)) return null;
    const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    if (typeof claims.sub !== "string") return null;
    return { token, userId: claims.sub, username: typeof claims.username === "string" ? claims.username : "" };
  } catch {
    return null;
  }
}
