// A fake Telegram Bot API server for the end-to-end tests, speaking the documented wire format
// (https://core.telegram.org/bots/api#making-requests): `POST|GET <base>/bot<token>/<method>`
// with a JSON, form-urlencoded or query-string body; answers `{"ok":true,"result":…}` or
// `{"ok":false,"error_code":N,"description":"…","parameters":{"retry_after":S}}`.
//
//   getMe                         the bot of a known token; 401 "Unauthorized" for any other
//   setWebhook                    url (HTTPS only, as Telegram requires), secret_token
//                                 (1-256 of A-Z a-z 0-9 _ -), allowed_updates; recorded
//   deleteWebhook, getWebhookInfo the webhook and {url, pending_update_count, allowed_updates…}
//   getUpdates                    409 while a webhook is set (a held poll ends with 409 when one
//                                 is set meanwhile, setWebhookElsewhere); drops updates below `offset`
//                                 (confirmed), answers at once when some are queued, else holds
//                                 the request up to `timeout` seconds (long poll) for one
//   sendMessage                   chat_id + text (1..4096 UTF-16 code units, as Telegram counts
//                                 them) → a Message; 403 for a chat that blocked the bot; or the
//                                 next scripted failure (failNext: e.g. 429 with retry_after)
//   sendChatAction                chat_id + action → true (400 while `refuseChatAction`)
// Every request is recorded in `calls` ({token, method, params, at (ms, Date.now()), status}).
import http from "node:http";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const kMaxTextUnits = 4096;

/** Resolves once `predicate()` is truthy (returning it), polling every 20 ms; rejects after `ms`. */
export async function waitUntil(predicate, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function parseParams(req, raw) {
  const url = new URL(req.url, "http://fake");
  const params = Object.fromEntries(url.searchParams);
  const type = req.headers["content-type"] ?? "";
  if (raw && type.startsWith("application/json")) Object.assign(params, JSON.parse(raw));
  else if (raw && type.startsWith("application/x-www-form-urlencoded")) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(raw)));
  }
  return params;
}

/**
 * Starts the fake on a free loopback port (or `port`). Resolves to an object with `url` (the value for
 * TELEGRAM_API_BASE_URL), `calls`, `addBot(id, username) → token`, `queueUpdate(token, update
 * without update_id) → update_id`, `failNext(token, {status, description, retryAfter})`,
 * `block(chatId)` / `unblock(chatId)`, `refuseChatAction`, `sent(token, chatId?)` (accepted sendMessage calls), `webhook(token)`,
 * `setWebhookElsewhere(token, url | null)` and `close()`.
 */
export async function startFakeTelegram({ port = 0 } = {}) {
  const bots = new Map(); // token → {id, username, first_name, webhook, updates, nextMessageId}
  const failures = new Map(); // token → [{status, description, retryAfter}]
  const blocked = new Set();
  const pollers = new Set(); // pending long polls: () => void (re-check)
  // Increasing across restarts of the fake, as Telegram's ids are (a stored offset stays valid).
  let nextUpdateId = Math.floor(Date.now() / 1000);
  const fake = { calls: [], refuseChatAction: false };

  const answer = (res, status, body) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const error = (res, call, status, description, parameters) => {
    call.status = status;
    answer(res, status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) });
  };
  const ok = (res, call, result) => {
    call.status = 200;
    answer(res, 200, { ok: true, result });
  };
  const wakePollers = () => {
    for (const recheck of [...pollers]) recheck();
  };

  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const match = /^\/bot([^/]+)\/([A-Za-z]+)(\?.*)?$/.exec(req.url);
    const call = { token: match?.[1], method: match?.[2], params: {}, at: Date.now(), status: 0 };
    fake.calls.push(call);
    if (!match) return error(res, call, 404, "Not Found");
    try {
      call.params = parseParams(req, raw);
    } catch {
      return error(res, call, 400, "Bad Request: can't parse JSON");
    }
    const bot = bots.get(call.token);
    if (!bot) return error(res, call, 401, "Unauthorized");
    const p = call.params;
    switch (call.method) {
      case "getMe":
        return ok(res, call, { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username,
                               can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case "setWebhook": {
        if (!p.url) return error(res, call, 400, "Bad Request: bad webhook: URL is empty");
        if (!String(p.url).startsWith("https://")) {
          return error(res, call, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        }
        if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(p.secret_token)) {
          return error(res, call, 400, "Bad Request: secret token contains unallowed characters");
        }
        bot.webhook = { url: p.url, secret_token: p.secret_token ?? "", allowed_updates: p.allowed_updates ?? [] };
        return ok(res, call, true);
      }
      case "deleteWebhook":
        bot.webhook = null;
        return ok(res, call, true);
      case "getWebhookInfo":
        return ok(res, call, { url: bot.webhook?.url ?? "", has_custom_certificate: false,
                               pending_update_count: bot.webhook ? bot.updates.length : 0, max_connections: 40,
                               ...(bot.webhook ? { allowed_updates: bot.webhook.allowed_updates } : {}) });
      case "getUpdates": {
        if (bot.webhook) {
          return error(res, call, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        }
        const offset = Number(p.offset ?? 0);
        const limit = Math.min(Math.max(Number(p.limit ?? 100), 1), 100);
        const timeoutS = Math.max(Number(p.timeout ?? 0), 0);
        if (offset > 0) bot.updates = bot.updates.filter((u) => u.update_id >= offset); // confirmed
        const deliver = () => ok(res, call, bot.updates.slice(0, limit));
        if (bot.updates.length > 0 || timeoutS === 0) return deliver();
        // Long poll: answer as soon as an update is queued, else empty after `timeout` seconds.
        await new Promise((resolve) => {
          const recheck = () => {
            if (bot.updates.length === 0 && !bot.webhook && !res.destroyed && !fake.closing) return;
            pollers.delete(recheck);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => { pollers.delete(recheck); resolve(); }, timeoutS * 1000);
          pollers.add(recheck);
          req.socket.once("close", recheck);
        });
        call.heldMs = Date.now() - call.at;
        if (bot.webhook && !res.destroyed) return error(res, call, 409, "Conflict: terminated by setWebhook request");
        if (!res.destroyed) deliver();
        return;
      }
      case "sendChatAction":
        if (!p.chat_id || !p.action) return error(res, call, 400, "Bad Request: chat_id and action are required");
        if (fake.refuseChatAction) return error(res, call, 400, "Bad Request: method is not available");
        return ok(res, call, true);
      case "sendMessage": {
        const queued = failures.get(call.token);
        if (queued?.length) {
          const f = queued.shift();
          return error(res, call, f.status, f.description, f.retryAfter ? { retry_after: f.retryAfter } : undefined);
        }
        if (p.chat_id === undefined || p.chat_id === "") return error(res, call, 400, "Bad Request: chat_id is empty");
        const text = String(p.text ?? "");
        if (text.trim() === "") return error(res, call, 400, "Bad Request: message text is empty");
        if (text.length > kMaxTextUnits) return error(res, call, 400, "Bad Request: message is too long");
        if (blocked.has(String(p.chat_id))) return error(res, call, 403, "Forbidden: bot was blocked by the user");
        return ok(res, call, { message_id: bot.nextMessageId++, date: Math.floor(Date.now() / 1000), text,
                               from: { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username },
                               chat: { id: Number(p.chat_id), type: "private" } });
      }
      default:
        return error(res, call, 404, "Not Found: method not found");
    }
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${server.address().port}`;
  fake.addBot = (id, username) => {
    const token = `${id}:AAH${Buffer.from(username).toString("hex").padEnd(32, "x").slice(0, 32)}`;
    bots.set(token, { id, username, first_name: username.replace(/_?bot$/i, ""), webhook: null, updates: [], nextMessageId: 1 });
    return token;
  };
  fake.queueUpdate = (token, update) => {
    const full = { update_id: nextUpdateId++, ...update };
    bots.get(token).updates.push(full);
    wakePollers();
    return full.update_id;
  };
  fake.failNext = (token, failure) => {
    if (!failures.has(token)) failures.set(token, []);
    failures.get(token).push(failure);
  };
  fake.block = (chatId) => blocked.add(String(chatId));
  fake.unblock = (chatId) => blocked.delete(String(chatId));
  fake.webhook = (token) => bots.get(token)?.webhook ?? null;
  /** Sets or (url null) removes the webhook as another program using the same token would. */
  fake.setWebhookElsewhere = (token, url) => {
    bots.get(token).webhook = url ? { url, secret_token: "", allowed_updates: [] } : null;
    wakePollers();
  };
  fake.sent = (token, chatId) => fake.calls.filter((c) => c.method === "sendMessage" && c.token === token &&
    c.status === 200 && (chatId === undefined || String(c.params.chat_id) === String(chatId)));
  fake.close = () => new Promise((resolve) => {
    fake.closing = true;
    wakePollers();
    server.closeAllConnections();
    server.close(resolve);
  });
  return fake;
}

/** A Telegram Update (without update_id) of a private text message from `user` ({id, first_name, last_name?, username?}). */
export function textUpdate(user, text, messageId = Math.floor(Math.random() * 1e6)) {
  const from = { id: user.id, is_bot: false, first_name: user.first_name, language_code: "en",
                 ...(user.last_name ? { last_name: user.last_name } : {}), ...(user.username ? { username: user.username } : {}) };
  const chat = { id: user.id, type: "private", first_name: user.first_name,
                 ...(user.last_name ? { last_name: user.last_name } : {}), ...(user.username ? { username: user.username } : {}) };
  return { message: { message_id: messageId, from, chat, date: Math.floor(Date.now() / 1000), text } };
}

// `node tests/e2e/fake_telegram.mjs [PORT]`: try `make run` with Telegram but without Telegram.
// Prints the two variables to start it with; then every line typed is a customer's message to the
// bot (in polling mode) and the bot's answers are printed.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tg = await startFakeTelegram({ port: Number(process.argv[2] ?? 0) });
  const token = tg.addBot(1234567890, "botfactory_try_bot");
  console.log(`fake Telegram Bot API at ${tg.url}; in another terminal:\n` +
              `  TELEGRAM_API_BASE_URL=${tg.url} TELEGRAM_BOT_TOKEN=${token} make run\n` +
              "then type a message here (you are the customer):");
  const customer = { id: 42, first_name: "Terminal", last_name: "User", username: "terminal_user" };
  readline.createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim()) tg.queueUpdate(token, textUpdate(customer, line.trim()));
  });
  let shown = 0;
  setInterval(() => {
    const calls = tg.calls.filter((c) => c.token === token && ["sendMessage", "sendChatAction"].includes(c.method));
    for (const c of calls.slice(shown)) {
      console.log(c.method === "sendChatAction" ? `(bot: ${c.params.action}…)` : `bot> ${c.params.text}`);
    }
    shown = calls.length;
  }, 100);
}
