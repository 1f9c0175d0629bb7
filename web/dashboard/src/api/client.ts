// REST calls to /api/v1 (same origin). Every call with a user token goes through `authorized`:
// the access token is refreshed first when it is about to expire, and a 401 is retried exactly
// once after a (single-flight) refresh; when the refresh token is refused the session ends and
// the caller gets ApiError("unauthorized"). Errors are ApiError with the API's stable `code`
// (docs/api.md "Errors"), or "network" when the server could not be reached.

import {
  accessExpiringSoon,
  clearSession,
  loadSession,
  refreshSession,
} from "./session";

/** An API error: HTTP status (0 = no answer), the API's error code and its English message. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    /** Seconds from the Retry-After header (429, 503), when given. */
    public readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The ApiError for a non-2xx response (its JSON `{"error":{code,message}}`, else by status). */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get("Retry-After"));
  let code = res.status >= 500 ? "internal" : "unknown";
  let message = res.statusText;
  try {
    const body = await res.json();
    if (body && body.error && typeof body.error.code === "string") {
      code = body.error.code;
      message = String(body.error.message ?? "");
    }
  } catch {
    // not JSON: keep the status-based code
  }
  if (res.status === 503 && code === "internal") code = "unavailable";
  return new ApiError(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

/** ApiError("network") for a request that got no HTTP answer. */
export function networkError(): ApiError {
  return new ApiError(0, "network", "the server could not be reached");
}

/**
 * Runs `attempt(accessToken)` with a fresh access token; on ApiError 401 refreshes once and
 * retries once. Throws ApiError(401, "unauthorized") when there is no session or it ended.
 */
export async function authorized<T>(attempt: (access: string) => Promise<T>): Promise<T> {
  let s = loadSession();
  if (!s) throw new ApiError(401, "unauthorized", "not signed in");
  if (accessExpiringSoon(s)) {
    if (!(await refreshSession(s.access, errorFromResponse))) throw sessionEnded();
    s = loadSession()!;
  }
  try {
    return await attempt(s.access);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    if (!(await refreshSession(s.access, errorFromResponse))) throw sessionEnded();
    const again = loadSession();
    if (!again) throw sessionEnded();
    try {
      return await attempt(again.access);
    } catch (e2) {
      if (e2 instanceof ApiError && e2.status === 401) {
        clearSession(true);
        throw sessionEnded();
      }
      throw e2;
    }
  }
}

function sessionEnded(): ApiError {
  return new ApiError(401, "session_expired", "the session ended; sign in again");
}

async function send(method: string, path: string, body: unknown, access?: string): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (access) headers.Authorization = `Bearer ${access}`;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw networkError();
  }
  if (!res.ok) throw await errorFromResponse(res);
  if (res.status === 204) return undefined;
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** A call with the user's access token (`path` below /api/v1, e.g. "/bots"). */
export function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return authorized((access) => send(method, path, body, access) as Promise<T>);
}

/** A call without a token (sign-up, login, logout, the plan list). */
export function publicApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  return send(method, path, body) as Promise<T>;
}
