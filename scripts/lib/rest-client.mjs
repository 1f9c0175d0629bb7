// A small JSON client for BotFactory's public REST API (docs/api.md), shared by the seeding
// script (scripts/seed.mjs) and the benchmarks (bench/sessions.mjs).

/**
 * A client for the API at `base` ("http://127.0.0.1:8080"). Every request times out after
 * `timeoutMs` milliseconds.
 */
export function restClient(base, timeoutMs = 10000) {
  /** One request; `body` is sent as JSON. Resolves to {status, body (parsed JSON or null)}. */
  async function call(method, path, body, token) {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(base + path, {
      method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }
  return { call };
}

/** The body of `result` when its status is one of `ok`; otherwise throws with the error body. */
export function must(result, ...ok) {
  if (!ok.includes(result.status)) throw new Error(`HTTP ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

/**
 * Idempotently: registers `user` {email, username, password} (an existing one is reused), logs
 * in, moves the tenant to `plan`, and finds its bot named `bot.name` or creates it with the
 * fields of `bot`. Resolves to {token, bot}.
 */
export async function ensureTenantBot(api, user, plan, bot) {
  must(await api.call("POST", "/api/v1/users", user), 201, 409);
  const login = await api.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
  const { access_token: token } = must(login, 200);
  must(await api.call("POST", "/api/v1/subscriptions", { plan }, token), 200, 201, 409);
  const bots = must(await api.call("GET", "/api/v1/bots", null, token), 200).bots;
  const found = bots.find((b) => b.name === bot.name);
  return { token, bot: found ?? must(await api.call("POST", "/api/v1/bots", bot, token), 201) };
}
