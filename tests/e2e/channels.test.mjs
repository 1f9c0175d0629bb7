// Telegram, WhatsApp and Instagram end to end over the real fleet (two gateway replicas), with a
// fake Telegram Bot API (fake_telegram.mjs), a fake Meta Graph API (fake_meta.mjs) and a fake
// OpenAI-compatible model (fake_openai.mjs) as the outside world (docs/channels.md, issue 8):
//  - webhook mode: connect over REST (getMe, setWebhook with a secret), a customer's question
//    about an uploaded document → typing, then the grounded reply with its sources list at
//    sendMessage; a long reply split at 4096 UTF-16 units; the same update three times = one
//    message; a wrong secret → 403; 429 retry_after honoured; an operator's WebSocket reply
//    reaches the customer, who is seen live on the operator's socket;
//  - polling mode: getUpdates long polls drive a conversation answered from the knowledge base;
//  - WhatsApp: verification challenge, unsigned / wrongly signed calls → 401, a signed message →
//    the reply at the Graph API, statuses recorded; Instagram: messaging[] in, reply out;
//  - crash drill: channel-connector SIGKILLed while the reply is being written → after the
//    supervisor's restart the reply goes out exactly once;
//  - 5xx retried, other 4xx not, 403 (blocked) stops sends until the customer writes again, a
//    refused sendChatAction never blocks a reply, the plan's channel limit, disconnect.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { instagramTextPayload, metaSignature, startFakeMeta, whatsappStatusPayload, whatsappTextPayload } from "./fake_meta.mjs";
import { startFakeOpenAi } from "./fake_openai.mjs";
import { startFakeTelegram, textUpdate, waitUntil } from "./fake_telegram.mjs";
import { addRelayKnowledge, ChatClient, faqDocs, http, startFleet } from "./harness.mjs";

const publicBase = "https://bots.e2e.example"; // CHANNEL_PUBLIC_BASE_URL (only Telegram sees it)
const pollTimeoutS = 5;
const manualTitle = "Zephyr X200 manual";
const manual =
  "The Zephyr X200 warranty lasts 37 months from the date of purchase. " +
  "Register your Zephyr X200 online within 30 days to keep the warranty. " +
  "The warranty covers the motor and the battery, not the blades.";
const shortAnswer = "The Zephyr X200 warranty lasts 37 months [1].";
// A long answer: 36 paragraphs of 40 emoji (2 UTF-16 units each) and a sentence — about 3,300
// code points (under the 4,000 a message may hold) but about 4,700 UTF-16 units.
const longParagraphs = Array.from({ length: 36 }, (_, i) =>
  `${"🔧".repeat(40)} Step ${i + 1}: the Zephyr X200 warranty lasts 37 months [1].`);
const longAnswer = longParagraphs.join("\n\n");

const faq = faqDocs("relay").slice(0, 12);
const relayQuestion = "Can I reply to emails sent to my Relay mask?";

/**
 * The extractive answerer's reply to `relayQuestion`, as a channel shows it: sentences quoted from
 * one document, then `Source: “<title>”` — and no second "Sources:" list naming the same title.
 * Returns the document.
 */
function assertGroundedRelayAnswer(text) {
  const match = /^([^\n]+)\n\nSource: “([^”]+)”$/.exec(text);
  assert.ok(match, text);
  const [, quoted, title] = match;
  const doc = faq.find((d) => d.title === title);
  assert.ok(doc, `the source is one of the bot's documents: ${title}`);
  const firstSentence = quoted.split(/(?<=[.!?]) /)[0];
  assert.ok(doc.text.includes(firstSentence), `quoted from the document: ${firstSentence}`);
  assert.match(quoted, /repl/i, "it answers the question about replying");
  return doc;
}

/**
 * The fake model: answers from the numbered passages it was given (the warranty fact must be in
 * the <knowledge> block, else "I don't know"), long when asked for every step.
 */
function modelReply(body) {
  const system = body.messages[0].content;
  const question = body.messages.at(-1).content;
  const knowledge = /<knowledge>\n([\s\S]*?)<\/knowledge>/.exec(system)?.[1] ?? "";
  if (!/^\[1\] Zephyr X200 manual\n[^\n]*warranty lasts 37 months/m.test(knowledge)) return ["I don't know."];
  if (/every step/i.test(question)) return longParagraphs.map((p, i) => (i ? "\n\n" : "") + p);
  return ["The Zephyr X200 ", "warranty lasts ", "37 months [1]."];
}

let fleet, A, B, tg, meta, model;
const clients = [];
const s = {}; // state shared by the tests, in order

before(async () => {
  [tg, meta, model] = await Promise.all([startFakeTelegram(), startFakeMeta(),
    startFakeOpenAi({ reply: modelReply, gapMs: 5, firstMs: 300 })]);
  fleet = await startFleet({
    env: {
      TELEGRAM_API_BASE_URL: tg.url, META_GRAPH_BASE_URL: meta.url, CHANNEL_PUBLIC_BASE_URL: publicBase,
      TELEGRAM_POLL_TIMEOUT_S: String(pollTimeoutS),
      // A stored update without reply is answered again after 3 s (the crash drill).
      CHANNEL_REPLY_RECOVERY_MS: "3000",
      // Two messages to one chat at least 300 ms apart (default 1000: shorter keeps the test short).
      TELEGRAM_CHAT_INTERVAL_MS: "300",
    },
  });
  [A, B] = fleet.gateways;
});

after(async () => {
  for (const c of clients) c.close();
  fleet?.stop();
  await Promise.all([tg?.close(), meta?.close(), model?.close()]);
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers a tenant (trial plan: one bot, one channel) and returns its access token. */
async function tenant(name) {
  const owner = { email: `${name}@channels.example`, username: `${name}_owner`, password: `${name} pass 2026!` };
  const created = await http(A, "POST", "/api/v1/users", { body: owner });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const login = await http(A, "POST", "/api/v1/auth/login", { body: { email: owner.email, password: owner.password } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return login.body.access_token;
}

async function createBot(token, body) {
  const bot = await http(A, "POST", "/api/v1/bots", { token, body: { language: "en", greeting: "Hi!", ...body } });
  assert.equal(bot.status, 201, JSON.stringify(bot.body));
  return bot.body;
}

async function addDocument(token, botId, title, body) {
  const res = await http(A, "POST", `/api/v1/bots/${botId}/knowledge`, { token, body: { title, format: "text", body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

/** Telegram's webhook call: POST the update to the gateway with the secret header. */
function deliver(base, channelId, secret, update) {
  const headers = { "Content-Type": "application/json" };
  if (secret !== undefined) headers["X-Telegram-Bot-Api-Secret-Token"] = secret;
  return http(base, "POST", `/webhooks/telegram/${channelId}`, { body: JSON.stringify(update), headers });
}

/** Meta's webhook call: POST the payload (object) to the gateway, signed unless `signature` is given (null: no header). */
function metaDeliver(base, kind, channelId, appSecret, payload, signature) {
  const body = JSON.stringify(payload);
  const headers = { "Content-Type": "application/json" };
  const sig = signature === undefined ? metaSignature(appSecret, body) : signature;
  if (sig !== null) headers["X-Hub-Signature-256"] = sig;
  return http(base, "POST", `/webhooks/${kind}/${channelId}`, { body, headers });
}

async function conversationOf(token, botId, visitorId) {
  return waitUntil(async () => {
    const list = await http(A, "GET", `/api/v1/bots/${botId}/conversations`, { token });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    return list.body.conversations.find((c) => c.visitor.id === visitorId);
  }, 10000, `the conversation of ${visitorId}`);
}

async function history(token, conversationId) {
  const res = await http(B, "GET", `/api/v1/conversations/${conversationId}/messages?since_seq=0`, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.messages;
}

const sendsTo = (token, chatId) => tg.calls.filter((c) => c.method === "sendMessage" && c.token === token &&
  String(c.params.chat_id) === String(chatId));

describe("Telegram in webhook mode", () => {
  test("connect over REST: getMe checks the token, setWebhook registers the URL and a secret", async () => {
    s.token = await tenant("tgweb");
    s.bot = await createBot(s.token, { name: "Zephyr Help", instructions: "Answer briefly.",
                                       provider: { provider: "openai", model: "fake-model" } });
    await addDocument(s.token, s.bot.id, manualTitle, manual);
    const key = await http(A, "PUT", "/api/v1/provider-keys/openai", { token: s.token,
      body: { key: "sk-tenant-channels-e2e-0123456789", base_url: model.url } });
    assert.equal(key.status, 200, JSON.stringify(key.body));

    // A token Telegram does not know: getMe answers 401, nothing is stored.
    const unknown = await http(A, "POST", `/api/v1/bots/${s.bot.id}/channels`, { token: s.token,
      body: { type: "telegram", token: "123456:AAHunknownunknownunknownunknown0", mode: "webhook" } });
    assert.equal(unknown.status, 400, JSON.stringify(unknown.body));
    assert.match(unknown.body.error.message, /getMe: 401 Unauthorized/);

    s.tgToken = tg.addBot(5550001, "zephyr_help_bot");
    const getMes = tg.calls.filter((c) => c.method === "getMe").length;
    const res = await http(A, "POST", `/api/v1/bots/${s.bot.id}/channels`, { token: s.token,
      body: { type: "telegram", token: s.tgToken, mode: "webhook" } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    s.channel = res.body;
    assert.equal(res.body.type, "telegram");
    assert.equal(res.body.mode, "webhook");
    assert.equal(res.body.display_name, "@zephyr_help_bot");
    assert.equal(res.body.credentials_hint, "…" + s.tgToken.slice(-4));
    assert.ok(!JSON.stringify(res.body).includes(s.tgToken), "the token is never returned");
    assert.equal(res.body.webhook_url, `${publicBase}/webhooks/telegram/${res.body.id}`);
    assert.equal(tg.calls.filter((c) => c.method === "getMe" && c.token === s.tgToken).length, 1);
    assert.ok(tg.calls.filter((c) => c.method === "getMe").length > getMes);
    const hook = tg.webhook(s.tgToken);
    assert.equal(hook.url, res.body.webhook_url);
    assert.match(hook.secret_token, /^[A-Za-z0-9_-]{16,256}$/);
    assert.deepEqual(hook.allowed_updates, ["message"]);
    s.secret = hook.secret_token;

    // The trial plan allows one channel per bot.
    const second = await http(B, "POST", `/api/v1/bots/${s.bot.id}/channels`, { token: s.token,
      body: { type: "telegram", token: tg.addBot(5550009, "zephyr_two_bot"), mode: "webhook" } });
    assert.equal(second.status, 402, JSON.stringify(second.body));
    assert.equal(second.body.error.code, "quota_exceeded");

    // The health shows Telegram's own view (getWebhookInfo).
    const list = await http(B, "GET", `/api/v1/bots/${s.bot.id}/channels`, { token: s.token });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const [listed] = list.body.channels;
    assert.equal(listed.id, s.channel.id);
    assert.equal(listed.health.state, "connected");
    assert.equal(listed.health.webhook.registered_url, s.channel.webhook_url);
  });

  test("a customer's question about the document: typing, then the grounded reply with its sources", async () => {
    const ada = { id: 1001, first_name: "Ada", last_name: "Lovelace", username: "ada" };
    const question = "How long is the Zephyr X200 warranty?";
    const res = await deliver(A, s.channel.id, s.secret, { update_id: 9001, ...textUpdate(ada, question) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { ok: true });

    const [sent] = await waitUntil(() => tg.sent(s.tgToken, ada.id).length && tg.sent(s.tgToken, ada.id), 20000, "the reply at sendMessage");
    assert.equal(sent.params.text, `${shortAnswer}\n\nSources:\n[1] ${manualTitle}`);
    assert.equal(sent.params.chat_id, ada.id);
    assert.equal(sent.params.parse_mode, undefined, "plain text: nothing to escape");
    const typing = tg.calls.find((c) => c.method === "sendChatAction" && c.token === s.tgToken && c.params.chat_id === ada.id);
    assert.ok(typing, "sendChatAction was called");
    assert.equal(typing.params.action, "typing");
    assert.ok(typing.at <= sent.at, "typing before the reply");

    // The conversation: channel telegram, the customer's name, the question and the reply with sources.
    const conversation = await conversationOf(s.token, s.bot.id, "telegram:1001");
    assert.equal(conversation.channel, "telegram");
    assert.equal(conversation.visitor.name, "Ada Lovelace");
    const messages = await history(s.token, conversation.id);
    assert.deepEqual(messages.map((m) => [m.sender.kind, m.text]), [["visitor", question], ["bot", shortAnswer]]);
    assert.deepEqual(messages[1].sources.map((x) => x.document_title), [manualTitle]);
    s.ada = { user: ada, conversation };
  });

  test("a long reply is split at 4096 UTF-16 units at a paragraph break, in order", async () => {
    const ada = s.ada.user;
    const res = await deliver(B, s.channel.id, s.secret, { update_id: 9002, ...textUpdate(ada, "Explain every step of the Zephyr X200 warranty, please.") });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const parts = await waitUntil(() => {
      const sent = tg.sent(s.tgToken, ada.id).slice(1);
      return sent.length >= 2 && sent;
    }, 20000, "the long reply's parts");
    await sleep(500);
    const texts = tg.sent(s.tgToken, ada.id).slice(1).map((c) => c.params.text);
    assert.equal(texts.length, 2, `parts: ${texts.map((t) => t.length)}`);
    const whole = `${longAnswer}\n\nSources:\n[1] ${manualTitle}`;
    assert.ok(whole.length > 4096 && [...longAnswer].length < 4000, "the fixture is long in UTF-16 units only");
    for (const t of texts) assert.ok(t.length <= 4096, `a part of ${t.length} UTF-16 units`);
    assert.ok(texts[0].length > 2048, "the first part fills the window");
    assert.ok(texts[0].endsWith("[1]."), "cut at a paragraph break");
    assert.equal(texts.join("\n\n"), whole, "nothing lost, nothing repeated, in order");
    assert.ok(parts[1].at - parts[0].at >= 300, `parts ${parts[1].at - parts[0].at} ms apart (TELEGRAM_CHAT_INTERVAL_MS)`);
  });

  test("the same update delivered three times (both replicas) is one message and one reply", async () => {
    const bob = { id: 3003, first_name: "Bob" };
    const update = { update_id: 9301, ...textUpdate(bob, "What does the Zephyr X200 warranty cover?") };
    const answers = await Promise.all([A, B, A].map((base) => deliver(base, s.channel.id, s.secret, update)));
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 200]);
    await waitUntil(() => tg.sent(s.tgToken, bob.id).length, 20000, "the reply");
    await sleep(1500); // a second reply would have come by now
    assert.equal(sendsTo(s.tgToken, bob.id).length, 1, "one sendMessage");
    const conversation = await conversationOf(s.token, s.bot.id, "telegram:3003");
    const messages = await history(s.token, conversation.id);
    assert.deepEqual(messages.map((m) => m.sender.kind), ["visitor", "bot"]);
    assert.equal(messages[0].text, update.message.text);
  });

  test("a wrong, missing or other channel's secret → 403, nothing stored", async () => {
    const eve = { id: 6660, first_name: "Eve" };
    const update = { update_id: 9666, ...textUpdate(eve, "How long is the Zephyr X200 warranty?") };
    const wrong = await deliver(A, s.channel.id, s.secret.slice(0, -1) + (s.secret.endsWith("A") ? "B" : "A"), update);
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, "forbidden");
    assert.equal((await deliver(B, s.channel.id, undefined, update)).status, 403);
    assert.equal((await deliver(A, "00000000-0000-4000-8000-000000000000", s.secret, update)).status, 403);
    assert.equal((await deliver(A, "not-a-channel", s.secret, update)).status, 403);
    // Not an Update at all, with the right secret: 400.
    const junk = await deliver(A, s.channel.id, s.secret, { hello: "world" });
    assert.equal(junk.status, 400, JSON.stringify(junk.body));
    await sleep(500);
    const list = await http(A, "GET", `/api/v1/bots/${s.bot.id}/conversations`, { token: s.token });
    assert.ok(!list.body.conversations.some((c) => c.visitor.id === "telegram:6660"), "no conversation for Eve");
    assert.equal(tg.calls.filter((c) => String(c.params.chat_id) === "6660").length, 0);
  });

  test("429 with retry_after: the second attempt waits the seconds Telegram asked for", async () => {
    const carl = { id: 6006, first_name: "Carl" };
    tg.failNext(s.tgToken, { status: 429, description: "Too Many Requests: retry after 2", retryAfter: 2 });
    const res = await deliver(A, s.channel.id, s.secret, { update_id: 9401, ...textUpdate(carl, "How long is the Zephyr X200 warranty?") });
    assert.equal(res.status, 200);
    await waitUntil(() => tg.sent(s.tgToken, carl.id).length, 20000, "the reply after the 429");
    const attempts = sendsTo(s.tgToken, carl.id);
    assert.deepEqual(attempts.map((c) => c.status), [429, 200]);
    assert.ok(attempts[1].at - attempts[0].at >= 2000, `retried after ${attempts[1].at - attempts[0].at} ms`);
    assert.equal(attempts[1].params.text, `${shortAnswer}\n\nSources:\n[1] ${manualTitle}`);
  });

  test("5xx is retried with back-off; another 4xx is never retried", async () => {
    const hal = { id: 6106, first_name: "Hal" };
    tg.failNext(s.tgToken, { status: 502, description: "Bad Gateway" });
    assert.equal((await deliver(A, s.channel.id, s.secret, { update_id: 9411, ...textUpdate(hal, "How long is the Zephyr X200 warranty?") })).status, 200);
    await waitUntil(() => tg.sent(s.tgToken, hal.id).length, 20000, "the reply after the 502");
    assert.deepEqual(sendsTo(s.tgToken, hal.id).map((c) => c.status), [502, 200]);

    tg.failNext(s.tgToken, { status: 400, description: "Bad Request: chat not found" });
    assert.equal((await deliver(B, s.channel.id, s.secret, { update_id: 9412, ...textUpdate(hal, "And what does the Zephyr X200 warranty cover?") })).status, 200);
    await waitUntil(() => sendsTo(s.tgToken, hal.id).length === 3, 20000, "the refused attempt");
    await sleep(2500); // a retry (back-off 1 s) would have come by now
    assert.deepEqual(sendsTo(s.tgToken, hal.id).map((c) => c.status), [502, 200, 400]);
    const list = await http(A, "GET", `/api/v1/bots/${s.bot.id}/channels`, { token: s.token });
    assert.match(list.body.channels[0].health.last_delivery_error, /sendMessage: 400 Bad Request: chat not found/);
    assert.ok(list.body.channels[0].health.failed_outbound >= 1, JSON.stringify(list.body.channels[0].health));
  });

  test("a customer who blocked the bot (403): nothing more is tried until they write again; a refused sendChatAction never blocks a reply", async () => {
    const fay = { id: 4505, first_name: "Fay" };
    tg.block(fay.id);
    tg.refuseChatAction = true;
    try {
      assert.equal((await deliver(A, s.channel.id, s.secret, { update_id: 9601, ...textUpdate(fay, "How long is the Zephyr X200 warranty?") })).status, 200);
      await waitUntil(() => sendsTo(s.tgToken, fay.id).some((c) => c.status === 403), 20000, "the 403");
      const list = await http(A, "GET", `/api/v1/bots/${s.bot.id}/channels`, { token: s.token });
      assert.match(list.body.channels[0].health.last_delivery_error, /403 Forbidden: bot was blocked by the user/);

      // An operator's message to the blocked chat fails at once, without a call.
      const conversation = await conversationOf(s.token, s.bot.id, "telegram:4505");
      const operator = new ChatClient(A, s.token);
      clients.push(operator);
      await operator.opened;
      operator.send({ type: "conversation.join", conversation_id: conversation.id, since_seq: 0 });
      await operator.waitFor((f) => f.type === "conversation.joined", 10000, "joined");
      operator.send({ type: "message.send", conversation_id: conversation.id, client_id: "op-fay", text: "Fay, are you there?" });
      await operator.waitFor((f) => f.type === "message.ack" && f.client_id === "op-fay", 10000, "ack");
      await sleep(1500);
      assert.equal(sendsTo(s.tgToken, fay.id).length, 1, "only the first, refused attempt");

      // Fay unblocks the bot and writes: answered again (the typing action refused on the way).
      tg.unblock(fay.id);
      assert.equal((await deliver(B, s.channel.id, s.secret, { update_id: 9602, ...textUpdate(fay, "Sorry! How long is the Zephyr X200 warranty?") })).status, 200);
      const [sent] = await waitUntil(() => tg.sent(s.tgToken, fay.id).length && tg.sent(s.tgToken, fay.id), 20000, "the reply after unblocking");
      assert.equal(sent.params.text, `${shortAnswer}\n\nSources:\n[1] ${manualTitle}`);
      const actions = tg.calls.filter((c) => c.method === "sendChatAction" && c.params.chat_id === fay.id);
      assert.ok(actions.length >= 1 && actions.every((c) => c.status === 400), "sendChatAction was refused");
      await sleep(500);
      assert.equal(tg.sent(s.tgToken, fay.id).length, 1, "the operator's failed message is not resent");
    } finally {
      tg.refuseChatAction = false;
      tg.unblock(fay.id);
    }
  });

  test("an operator sees the customer live on the WebSocket, and the operator's message reaches Telegram", async () => {
    const grace = { id: 4004, first_name: "Grace", last_name: "Hopper" };
    assert.equal((await deliver(A, s.channel.id, s.secret, { update_id: 9501, ...textUpdate(grace, "How long is the Zephyr X200 warranty?") })).status, 200);
    await waitUntil(() => tg.sent(s.tgToken, grace.id).length, 20000, "the bot's reply");
    const conversation = await conversationOf(s.token, s.bot.id, "telegram:4004");

    const operator = new ChatClient(B, s.token);
    clients.push(operator);
    await operator.opened;
    operator.send({ type: "conversation.join", conversation_id: conversation.id, since_seq: 0 });
    await operator.waitFor((f) => f.type === "conversation.joined", 10000, "joined");
    const takeover = await http(A, "POST", `/api/v1/conversations/${conversation.id}/takeover`, { token: s.token, body: {} });
    assert.equal(takeover.status, 200, JSON.stringify(takeover.body));

    const text = "I would like to talk to a person, please.";
    assert.equal((await deliver(A, s.channel.id, s.secret, { update_id: 9502, ...textUpdate(grace, text) })).status, 200);
    const live = await operator.waitFor((f) => f.type === "message.new" && f.message.text === text, 10000, "the customer's message live");
    assert.equal(live.message.sender.kind, "visitor");
    assert.equal(live.message.sender.name, "Grace Hopper");

    const reply = "Hi Grace, this is the support team: your warranty is 37 months.";
    operator.send({ type: "message.send", conversation_id: conversation.id, client_id: "op-1", text: reply });
    await operator.waitFor((f) => f.type === "message.ack" && f.client_id === "op-1", 10000, "ack");
    const delivered = await waitUntil(() => tg.sent(s.tgToken, grace.id).find((c) => c.params.text === reply), 15000, "the operator's message at sendMessage");
    assert.equal(delivered.params.chat_id, grace.id);
    await sleep(500);
    // The bot stayed silent while a person handles the chat: the bot's first reply and the operator's.
    assert.equal(sendsTo(s.tgToken, grace.id).length, 2);
  });
});

describe("Telegram in polling mode", () => {
  test("getUpdates long polls drive a conversation answered from the knowledge base", async () => {
    const token = await tenant("tgpoll");
    const bot = await createBot(token, { name: "Relay Help" });
    await addRelayKnowledge(A, token, bot.id, { count: faq.length });
    const tgToken = tg.addBot(5550002, "relay_help_bot");
    const res = await http(A, "POST", `/api/v1/bots/${bot.id}/channels`, { token, body: { type: "telegram", token: tgToken, mode: "polling" } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.mode, "polling");
    assert.ok(tg.calls.some((c) => c.method === "deleteWebhook" && c.token === tgToken), "deleteWebhook before polling");
    const first = await waitUntil(() => tg.calls.find((c) => c.method === "getUpdates" && c.token === tgToken), 10000, "a getUpdates call");
    assert.equal(Number(first.params.timeout), pollTimeoutS, "a long poll");
    await sleep(300); // the poll is held open at the fake now

    const dan = { id: 7007, first_name: "Dan" };
    const updateId = tg.queueUpdate(tgToken, textUpdate(dan, relayQuestion));
    const [sent] = await waitUntil(() => tg.sent(tgToken, dan.id).length && tg.sent(tgToken, dan.id), 20000, "the reply");
    assertGroundedRelayAnswer(sent.params.text);
    // The held poll answered the update at once; the next one confirms it (offset = id + 1).
    const delivering = tg.calls.find((c) => c.method === "getUpdates" && c.token === tgToken && c.heldMs >= 200);
    assert.ok(delivering, "a getUpdates request was held open until the update came");
    await waitUntil(() => tg.calls.some((c) => c.method === "getUpdates" && c.token === tgToken && Number(c.params.offset) === updateId + 1),
      10000, "getUpdates with offset = update_id + 1");
    const conversation = await conversationOf(token, bot.id, "telegram:7007");
    assert.equal(conversation.channel, "telegram");
    const messages = await history(token, conversation.id);
    assert.deepEqual(messages.map((m) => [m.sender.kind, m.text.slice(0, 20)]), [["visitor", relayQuestion.slice(0, 20)], ["bot", messages[1].text.slice(0, 20)]]);
    assert.equal(sent.params.text.startsWith(messages[1].text), true);
    // Another program sets a webhook for the same bot: getUpdates answers 409, the channel shows
    // the error; once the webhook is gone, polling resumes and the channel is connected again.
    tg.setWebhookElsewhere(tgToken, "https://elsewhere.example/hook");
    const health = async () => (await http(A, "GET", `/api/v1/bots/${bot.id}/channels`, { token })).body.channels[0].health;
    const failed = await waitUntil(async () => { const h = await health(); return h.state === "error" && h; }, 10000, "state error");
    assert.match(failed.error, /getUpdates: 409 Conflict/);
    tg.setWebhookElsewhere(tgToken, null);
    await waitUntil(async () => (await health()).state === "connected", 15000, "connected again");
    tg.queueUpdate(tgToken, textUpdate(dan, "Is Relay free?"));
    await waitUntil(() => tg.sent(tgToken, dan.id).length === 2, 20000, "the reply after the conflict");
  });
});

describe("WhatsApp and Instagram", () => {
  test("WhatsApp: challenge, signatures, a signed message answered at the Graph API, statuses recorded", async () => {
    const token = await tenant("wa");
    const bot = await createBot(token, { name: "Relay WhatsApp" });
    await addRelayKnowledge(A, token, bot.id, { count: faq.length });
    const wa = { phone_number_id: "106540352242922", access_token: "EAAG-e2e-access-token-1234", app_secret: "e2e-app-secret-5f3c9a",
                 verify_token: "e2e-verify-token-8b1d" };
    meta.addAccount(wa.phone_number_id, wa.access_token, "whatsapp");
    const res = await http(A, "POST", `/api/v1/bots/${bot.id}/channels`, { token, body: { type: "whatsapp", ...wa } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id = res.body.id;
    assert.equal(res.body.webhook_url, `${publicBase}/webhooks/whatsapp/${id}`);
    assert.equal(res.body.credentials_hint, "…1234");
    for (const secret of [wa.access_token, wa.app_secret, wa.verify_token]) assert.ok(!JSON.stringify(res.body).includes(secret));

    // Verification (GET with hub.*): the right verify token gets the challenge back as text.
    const challenge = await fetch(`${A}/webhooks/whatsapp/${id}?hub.mode=subscribe&hub.verify_token=${wa.verify_token}&hub.challenge=1158201444`);
    assert.equal(challenge.status, 200);
    assert.equal(await challenge.text(), "1158201444");
    assert.match(challenge.headers.get("content-type"), /^text\/plain/);
    const wrongVerify = await fetch(`${B}/webhooks/whatsapp/${id}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    assert.equal(wrongVerify.status, 403);

    const payload = whatsappTextPayload({ phoneNumberId: wa.phone_number_id, waId: "16505551234", name: "Sheena Nelson",
                                          wamid: "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", text: relayQuestion });
    // Unsigned, wrongly signed, signed with another key, a tampered body: 401, nothing stored.
    assert.equal((await metaDeliver(A, "whatsapp", id, wa.app_secret, payload, null)).status, 401);
    assert.equal((await metaDeliver(B, "whatsapp", id, wa.app_secret, payload, "sha256=" + "0".repeat(64))).status, 401);
    assert.equal((await metaDeliver(A, "whatsapp", id, "another-app-secret", payload)).status, 401);
    const tampered = JSON.stringify(payload);
    const bad = await http(A, "POST", `/webhooks/whatsapp/${id}`, { body: tampered.replace("Relay", "relay"),
      headers: { "Content-Type": "application/json", "X-Hub-Signature-256": metaSignature(wa.app_secret, tampered) } });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, "unauthorized");
    await sleep(300);
    assert.equal(meta.calls.length, 0, "nothing was answered");

    const ok = await metaDeliver(B, "whatsapp", id, wa.app_secret, payload);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const [sent] = await waitUntil(() => meta.sent(wa.phone_number_id).length && meta.sent(wa.phone_number_id), 20000, "the reply at the Graph API");
    assert.equal(sent.version, "v21.0");
    assert.equal(sent.authorization, `Bearer ${wa.access_token}`);
    assert.equal(sent.body.messaging_product, "whatsapp");
    assert.equal(sent.body.to, "16505551234");
    assert.equal(sent.body.type, "text");
    assertGroundedRelayAnswer(sent.body.text.body);
    const conversation = await conversationOf(token, bot.id, "whatsapp:16505551234");
    assert.equal(conversation.channel, "whatsapp");
    assert.equal(conversation.visitor.name, "Sheena Nelson");

    // Statuses for the sent message: recorded on its outbound row, in order.
    const wamid = sent.response.messages[0].id;
    for (const status of ["sent", "delivered", "read"]) {
      const st = await metaDeliver(A, "whatsapp", id, wa.app_secret,
        whatsappStatusPayload({ phoneNumberId: wa.phone_number_id, waId: "16505551234", wamid, status }));
      assert.equal(st.status, 200, JSON.stringify(st.body));
      assert.equal(fleet.psql(`SELECT delivery_status FROM chat.channel_outbox WHERE external_message_id = '${wamid}'`), status);
    }
    // The same message again (Meta retries): still one reply.
    assert.equal((await metaDeliver(A, "whatsapp", id, wa.app_secret, payload)).status, 200);
    await sleep(1000);
    assert.equal(meta.sent(wa.phone_number_id).length, 1);
    const health = await http(A, "GET", `/api/v1/bots/${bot.id}/channels`, { token });
    assert.equal(health.body.channels[0].health.state, "connected");
    assert.ok(health.body.channels[0].health.last_inbound_at, JSON.stringify(health.body));
  });

  test("Instagram: a signed messaging[] call (with an echo) gets one reply at the account's send endpoint", async () => {
    const token = await tenant("ig");
    const bot = await createBot(token, { name: "Relay Instagram" });
    await addRelayKnowledge(A, token, bot.id, { count: faq.length });
    const ig = { instagram_account_id: "17841400000000001", access_token: "IGAA-e2e-access-token-9876", app_secret: "ig-app-secret-e2e",
                 verify_token: "ig-verify-e2e" };
    meta.addAccount(ig.instagram_account_id, ig.access_token, "instagram");
    const res = await http(A, "POST", `/api/v1/bots/${bot.id}/channels`, { token, body: { type: "instagram", ...ig } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id = res.body.id;
    assert.equal(res.body.webhook_url, `${publicBase}/webhooks/instagram/${id}`);
    const echo = instagramTextPayload({ accountId: ig.instagram_account_id, senderId: "990011", mid: "aWdfZAG1echo", text: "our own message", echo: true });
    assert.equal((await metaDeliver(A, "instagram", id, ig.app_secret, echo)).status, 200);
    const message = instagramTextPayload({ accountId: ig.instagram_account_id, senderId: "990011", mid: "aWdfZAG1msg1", text: relayQuestion });
    assert.equal((await metaDeliver(A, "instagram", id, ig.app_secret, message, "sha256=" + "f".repeat(64))).status, 401);
    assert.equal((await metaDeliver(B, "instagram", id, ig.app_secret, message)).status, 200);
    const [sent] = await waitUntil(() => meta.sent(ig.instagram_account_id).length && meta.sent(ig.instagram_account_id), 20000, "the Instagram reply");
    assert.equal(sent.body.recipient.id, "990011");
    assert.ok([...sent.body.message.text].length <= 1000);
    assertGroundedRelayAnswer(sent.body.message.text);
    await sleep(800);
    assert.equal(meta.sent(ig.instagram_account_id).length, 1, "the echo was not answered");
  });
});

describe("crash drill", () => {
  test("channel-connector killed while the reply is being written: after the restart it goes out once", async () => {
    const kim = { id: 8008, first_name: "Kim" };
    const question = "How long is the Zephyr X200 warranty, again?";
    model.firstMs = 5000; // the model is slow: the reply is in flight when the service dies
    const calls = model.calls.length;
    assert.equal((await deliver(A, s.channel.id, s.secret, { update_id: 9801, ...textUpdate(kim, question) })).status, 200);
    await waitUntil(() => model.calls.slice(calls).some((c) => c.body.messages.at(-1).content === question), 10000, "the model call");
    model.firstMs = 100;

    const pids = () => Object.fromEntries(readFileSync(path.join(fleet.dir, "fleet.pids"), "utf8").trim().split("\n")
      .map((l) => l.split(" ")).map(([pid, name]) => [name, Number(pid)]));
    const victim = pids()["channel-connector"];
    process.kill(victim, "SIGKILL");
    assert.equal(sendsTo(s.tgToken, kim.id).length, 0, "nothing was sent before the crash");

    await waitUntil(() => pids()["channel-connector"] !== victim, 10000, "the supervisor's restart");
    const [sent] = await waitUntil(() => tg.sent(s.tgToken, kim.id).length && tg.sent(s.tgToken, kim.id), 30000, "the reply after the restart");
    assert.equal(sent.params.text, `${shortAnswer}\n\nSources:\n[1] ${manualTitle}`);
    await sleep(4000); // a second recovery pass (every 3 s) or a late first reply would show now
    assert.equal(sendsTo(s.tgToken, kim.id).length, 1, "delivered exactly once");
    const conversation = await conversationOf(s.token, s.bot.id, "telegram:8008");
    const messages = await history(s.token, conversation.id);
    assert.deepEqual(messages.map((m) => [m.sender.kind, m.text]), [["visitor", question], ["bot", shortAnswer]]);
    // The model was asked twice: the call that died with the service, and the recovery's.
    assert.equal(model.calls.slice(calls).filter((c) => c.body.messages.at(-1).content === question).length, 2);
    assert.match(readFileSync(path.join(fleet.dir, "logs/fleet.log"), "utf8"), new RegExp(`channel-connector \\(pid ${victim}\\) exited`));
  });
});

describe("disconnect", () => {
  test("DELETE the webhook channel: deleteWebhook at Telegram, the old secret is refused", async () => {
    const res = await http(A, "DELETE", `/api/v1/bots/${s.bot.id}/channels/${s.channel.id}`, { token: s.token });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    assert.equal(tg.webhook(s.tgToken), null, "deleteWebhook was called");
    const late = await deliver(B, s.channel.id, s.secret, { update_id: 9901, ...textUpdate({ id: 1001, first_name: "Ada" }, "Still there?") });
    assert.equal(late.status, 403);
    const list = await http(A, "GET", `/api/v1/bots/${s.bot.id}/channels`, { token: s.token });
    assert.deepEqual(list.body.channels, []);
    // The conversations stay.
    const conversations = await http(A, "GET", `/api/v1/bots/${s.bot.id}/conversations`, { token: s.token });
    assert.ok(conversations.body.conversations.some((c) => c.visitor.id === "telegram:1001"));
  });
});
