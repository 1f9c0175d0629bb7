// The signed-in user's tokens (docs/api.md "Users and tokens"): the access token (15 min) and the
// single-use refresh token, kept in localStorage so a reload or a second tab stays signed in.
// Refreshing is single-flight: in this tab one promise is shared by every caller, and across
// tabs a Web Lock serialises rotations (a tab that finds a token another tab already rotated
// adopts it instead of spending the old, now revoked, refresh token).

import type { TokenPair } from "./types";

const STORAGE_KEY = "botfactory.dashboard.session";
const LOCK_NAME = "botfactory.dashboard.refresh";
/** Refresh this long (ms) before the access token expires, so requests rarely see a 401. */
const EARLY_REFRESH_MS = 30_000;

export interface StoredSession {
  access: string;
  refresh: string;
  accessExpiresAt: number; // epoch ms
}

/** `expired`: the session ended by itself (refresh token refused), not by signing out. */
type Listener = (signedIn: boolean, expired: boolean) => void;
const listeners = new Set<Listener>();
let inFlight: Promise<boolean> | null = null;

/** The stored session, or null when signed out (or storage holds something unreadable). */
export function loadSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as StoredSession;
    return typeof s.access === "string" && typeof s.refresh === "string" ? s : null;
  } catch {
    return null;
  }
}

/** Stores a token pair from login or refresh; `expires_in` is in seconds. */
export function saveTokens(pair: TokenPair): void {
  const s: StoredSession = {
    access: pair.access_token,
    refresh: pair.refresh_token,
    accessExpiresAt: Date.now() + pair.expires_in * 1000,
  };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  listeners.forEach((l) => l(true, false));
}

/** Forgets the tokens: on sign-out, or `expired` when the server no longer accepts them. */
export function clearSession(expired = false): void {
  localStorage.removeItem(STORAGE_KEY);
  listeners.forEach((l) => l(false, expired));
}

/** Calls `listener(signedIn, expired)` whenever tokens are saved or cleared; returns the unsubscribe. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the stored access token expires within EARLY_REFRESH_MS. */
export function accessExpiringSoon(s: StoredSession): boolean {
  return s.accessExpiresAt - Date.now() < EARLY_REFRESH_MS;
}

/**
 * Rotates the tokens with POST /api/v1/auth/refresh. `staleAccess` is the access token the
 * caller found unusable: when storage already holds a different, fresh one (another tab or call
 * rotated meanwhile) that one is adopted without a request. Resolves true when a usable access
 * token is stored, false when the session ended (no session, or 401: the refresh token was
 * used, revoked or expired — the session is cleared). Other failures (network, 429, 503) reject
 * with the thrown value of `onHttpError`, and the session is kept.
 */
export function refreshSession(
  staleAccess: string | undefined,
  onHttpError: (res: Response) => Promise<Error>,
): Promise<boolean> {
  if (!inFlight) {
    const run = () => rotate(staleAccess, onHttpError);
    const locked = typeof navigator !== "undefined" && navigator.locks
      ? navigator.locks.request(LOCK_NAME, run)
      : run();
    inFlight = locked.finally(() => {
      inFlight = null;
    });
  }
  return inFlight;
}

async function rotate(
  staleAccess: string | undefined,
  onHttpError: (res: Response) => Promise<Error>,
): Promise<boolean> {
  const s = loadSession();
  if (!s) return false;
  if (staleAccess !== undefined && s.access !== staleAccess && !accessExpiringSoon(s)) return true;
  const res = await fetch("/api/v1/auth/refresh", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: s.refresh }),
  });
  if (res.ok) {
    saveTokens((await res.json()) as TokenPair);
    return true;
  }
  if (res.status === 401) {
    clearSession(true);
    return false;
  }
  throw await onHttpError(res);
}
