// Reading a visitor token's times (RFC 7519 `iat` / `exp`) to decide when to renew it
// (docs/protocol.md, "Token expiry and renewal"). Shared by the chat page and the widget.

/** setTimeout's longest delay (about 24.8 days), in ms. */
export const maxTimerMs = 2 ** 31 - 1;

/** The `iat` and `exp` claims (seconds since the epoch) of a JWT (RFC 7519), or {} when unreadable. */
export function tokenTimes(token: string): { iat?: number; exp?: number } {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)) as { iat?: number; exp?: number };
  } catch {
    return {};
  }
}

/**
 * True when the token expires within 30 s. A token that cannot be read counts as valid (the
 * server decides).
 */
export function tokenExpiring(token: string): boolean {
  const { exp } = tokenTimes(token);
  return typeof exp === "number" && exp * 1000 <= Date.now() + 30000;
}

/**
 * Milliseconds until the token should be renewed: a minute before its `exp`, or a tenth of its
 * lifetime before when that is shorter; null when it has no readable `exp`.
 */
export function renewDelayMs(token: string): number | null {
  const { iat, exp } = tokenTimes(token);
  if (typeof exp !== "number") return null;
  const lifeMs = typeof iat === "number" && exp > iat ? (exp - iat) * 1000 : 600000;
  const marginMs = Math.min(60000, lifeMs / 10);
  return Math.min(Math.max(0, exp * 1000 - marginMs - Date.now()), maxTimerMs);
}
