// The REST calls of encrypted rooms (docs/e2ee.md): JSON in and out with the signed-in user's
// bearer token; an error answer becomes ApiError with the API's `{"error":{"code","message"}}`.

/** An HTTP error answer: `status`, the API's `code` ("key_conflict", …) and message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message || code);
  }
}

/** Calls `origin + route` with `token()`; resolves with the JSON answer (undefined for 204). */
export async function apiCall(origin: string, token: () => string, method: string, route: string,
                              body?: unknown): Promise<any> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(origin + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, answer?.error?.code ?? `http_${response.status}`, answer?.error?.message ?? "");
  return answer;
}
