// Two channel-connector replicas behind two gateways (docs/architecture.md "Scale-out"): the
// gateways reach both through one gRPC target with round_robin; the replicas share the durable
// inbox and outbox through per-chat leases renewed by a heartbeat (CHANNEL_LEASE_MS, here 3 s).
//  - a burst of Telegram updates for several chats, delivered through both gateways (so to both
//    replicas): per chat, the replies reach the fake Telegram in the order of the questions, each
//    once — although the fake model answers earlier questions more slowly;
//  - widget messages from two sockets on two gateways into one conversation: one gap-free seq;
//  - kill -9 of one replica mid-burst (no supervisor restart): the other finishes every chat in
//    order, nothing lost, the stalled chats resuming within the lease + one claim pass.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startFakeOpenAi } from "./fake_openai.mjs";
import { startFakeTelegram, textUpdate, waitUntil } from "./fake_telegram.mjs";
import { ChatClient, http, startFleetWithChannelReplicas } from "./harness.mjs";

const publicBase = "https://bots.replicas.example";
const leaseMs = 3000;
const renewMs = 1000;
// A stalled chat resumes within the lease plus the inbox's idle claim interval (1 s) plus one
// reply (model + send): the bound the kill drill checks, with room for a loaded machine.
const resumeBoundMs = leaseMs + 1000 + 4000;

/** The fake model: "Answer to <question>", in more pieces (slower) for earlier questions ("#0" slowest). */
function modelReply(body) {
  const question = body.messages.at(-1).content;
  const n = Number(/#(\d+)/.exec(question)?.[1] ?? 0);
  return ["Answer to ", question, ...Array.from({ length: Math.max(1, 6 - n) }, () => ".")];
}
const answerOf = (question) => `Answer to ${question}`;

let fleet, A, B, tg, model;
const clients = [];
const s = {};

before(async () => {
  [tg, model] = await Promise.all([startFakeTelegram(), startFakeOpenAi({ reply: modelReply, gapMs: 40, firstMs: 50 })]);
  fleet = await startFleetWithChannelReplicas(2, {
    env: {
      TELEGRAM_API_BASE_URL: tg.url, CHANNEL_PUBLIC_BASE_URL: publicBase,
      CHANNEL_LEASE_MS: String(leaseMs), CHANNEL_LEASE_RENEW_MS: String(renewMs),
      TELEGRAM_CHAT_INTERVAL_MS: "0", VISITOR_MESSAGES_PER_MIN: "0", BOT_REPLIES_PER_MIN: "0",
    },
  });
  [A, B] = fleet.gateways;
});

after(async () => {
  for (const c of clients) c.close();
  fleet?.stop();
  await Promise.all([tg?.close(), model?.close()]);
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function deliver(base, update) {
  return http(base, "POST", `/webhooks/telegram/${s.channel.id}`, {
    body: JSON.stringify(update), headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": s.secret },
  });
}

/** Every accepted reply text to `chatId`, in the order the fake received them (the answer's first line). */
const repliesTo = (chatId) => tg.sent(s.tgToken, chatId).map((c) => String(c.params.text).split("\n")[0].replace(/\.+$/, ""));

let nextUpdateId = 5000;
/** Sends `perChat` questions to each of `chats`, each chat's in order, chats in parallel, alternating gateways. */
async function burst(chats, perChat, tag) {
  const questions = new Map();
  await Promise.all(chats.map(async (chat) => {
    const list = [];
    for (let i = 0; i < perChat; i++) {
      // Mostly the document's words: the relevance gate lets it through to the model.
      const question = `Zephyr X200 warranty: how many months from the date of purchase? (${tag} ${chat.id} #${i})`;
      const updateId = ++nextUpdateId;
      const res = await deliver(updateId % 2 ? A : B, { update_id: updateId, ...textUpdate(chat, question) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      list.push(question);
    }
    questions.set(chat.id, list);
  }));
  return questions;
}

describe("two channel-connector replicas", () => {
  test("setup: a bot with a model, a Telegram webhook channel", async () => {
    const owner = { email: "replicas@replicas.example", username: "replicas_owner", password: "replicas pass 2026!" };
    assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
    const login = await http(B, "POST", "/api/v1/auth/login", { body: { email: owner.email, password: owner.password } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    s.token = login.body.access_token;
    const bot = await http(A, "POST", "/api/v1/bots", { token: s.token, body: { name: "Replica Help", language: "en",
      greeting: "Hi!", instructions: "Answer briefly.", provider: { provider: "openai", model: "fake-model" } } });
    assert.equal(bot.status, 201, JSON.stringify(bot.body));
    s.bot = bot.body;
    // The questions are about this document (an unrelated question is answered "I don't know"
    // without the model).
    const doc = await http(A, "POST", `/api/v1/bots/${s.bot.id}/knowledge`, { token: s.token, body: { title: "Zephyr X200 manual",
      format: "text", body: "The Zephyr X200 warranty lasts 37 months from the date of purchase. The warranty covers the motor and the battery." } });
    assert.equal(doc.status, 201, JSON.stringify(doc.body));
    const key = await http(A, "PUT", "/api/v1/provider-keys/openai", { token: s.token,
      body: { key: "sk-tenant-replicas-e2e-0123456789", base_url: model.url } });
    assert.equal(key.status, 200, JSON.stringify(key.body));
    s.tgToken = tg.addBot(5560001, "replica_help_bot");
    const res = await http(B, "POST", `/api/v1/bots/${s.bot.id}/channels`, { token: s.token,
      body: { type: "telegram", token: s.tgToken, mode: "webhook" } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    s.channel = res.body;
    s.secret = tg.webhook(s.tgToken).secret_token;
  });

  test("a burst of several chats through both replicas: per chat, replies in order, each once", async () => {
    const chats = Array.from({ length: 6 }, (_, i) => ({ id: 71000 + i, first_name: `Ann${i}` }));
    const questions = await burst(chats, 5, "burst");
    await waitUntil(() => chats.every((c) => repliesTo(c.id).length >= 5), 60000, "every reply of the burst");
    await sleep(500); // a duplicate would show now
    for (const chat of chats) {
      assert.deepEqual(repliesTo(chat.id), questions.get(chat.id).map(answerOf), `chat ${chat.id}`);
    }
    // Both replicas took part: the outbox rows name the replica that sent them.
    const owners = fleet.psql("SELECT count(DISTINCT lease_owner) FROM chat.channel_outbox WHERE state = 'sent'");
    console.log(`outbox rows sent by ${owners} replica(s)`);
  });

  test("widget messages from two sockets on two gateways land in one gap-free seq", async () => {
    const session = await http(A, "POST", `/api/v1/widget/${s.bot.public_id}/sessions`, { body: {} });
    assert.equal(session.status, 201, JSON.stringify(session.body));
    const conversationId = session.body.conversation_id;
    const visitor = new ChatClient(A, session.body.token);
    const operator = new ChatClient(B, s.token);
    clients.push(visitor, operator);
    await Promise.all([visitor.opened, operator.opened]);
    for (const c of [visitor, operator]) {
      c.send({ type: "conversation.join", conversation_id: conversationId, since_seq: 0 });
      await c.waitFor((f) => f.type === "conversation.joined", 10000, "joined");
    }
    const n = 15;
    // Both sockets at once, each sending its next message when the previous one was acked (a
    // socket's pipelined sends are not ordered by the gateway: its calls may run concurrently
    // on different replicas; docs/architecture.md "Scale-out").
    await Promise.all([[visitor, "v", "visitor"], [operator, "o", "operator"]].map(async ([c, prefix, who]) => {
      for (let i = 0; i < n; i++) {
        c.send({ type: "message.send", conversation_id: conversationId, client_id: `${prefix}-${i}`, text: `${who} ${i}` });
        await c.waitFor((f) => f.type === "message.ack" && f.client_id === `${prefix}-${i}`, 10000, `${prefix}-${i} ack`);
      }
    }));
    const res = await http(B, "GET", `/api/v1/conversations/${conversationId}/messages?since_seq=0`, { token: s.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const seqs = res.body.messages.map((m) => m.seq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), "gap-free from 1");
    for (let i = 0; i < n; i++) {
      assert.equal(res.body.messages.filter((m) => m.text === `visitor ${i}`).length, 1);
      assert.equal(res.body.messages.filter((m) => m.text === `operator ${i}`).length, 1);
    }
    // Each socket's own messages in the order it sent them.
    for (const prefix of ["visitor", "operator"]) {
      const mine = res.body.messages.filter((m) => m.text.startsWith(`${prefix} `)).map((m) => m.text);
      assert.deepEqual(mine, Array.from({ length: n }, (_, i) => `${prefix} ${i}`));
    }
    // Both sockets saw the same sequence live.
    await operator.waitUntil((c) => c.messages().length >= seqs.length, 10000, "every message on the operator's socket");
    await visitor.waitUntil((c) => c.messages().length >= seqs.length, 10000, "every message on the visitor's socket");
  });

  test("kill -9 of one replica mid-burst: the other finishes every chat in order within the bound", async () => {
    model.firstMs = 300; // each turn takes a while: the burst is surely mid-way at the kill
    const chats = Array.from({ length: 5 }, (_, i) => ({ id: 72000 + i, first_name: `Bo${i}` }));
    const questions = await burst(chats, 5, "drill");
    const total = chats.length * 5;
    await waitUntil(() => chats.reduce((n, c) => n + repliesTo(c.id).length, 0) >= 5, 20000, "the first replies");
    const victim = fleet.pids()["channel-connector-2"];
    assert.ok(victim, "the second replica runs");
    process.kill(victim, "SIGKILL");
    const killedAt = Date.now();
    const sentAtKill = chats.reduce((n, c) => n + repliesTo(c.id).length, 0);
    assert.ok(sentAtKill < total, "killed mid-burst");
    // The last reply of each chat, and the longest silence of any chat that still had work.
    const lastAt = new Map(chats.map((c) => [c.id, killedAt]));
    let longestSilence = 0;
    await waitUntil(() => {
      const now = Date.now();
      for (const c of chats) {
        const done = repliesTo(c.id).length >= 5;
        const sends = tg.sent(s.tgToken, c.id);
        const last = sends.length ? Math.max(killedAt, sends.at(-1).at) : killedAt;
        if (!done) longestSilence = Math.max(longestSilence, now - last);
        lastAt.set(c.id, last);
      }
      return chats.every((c) => new Set(repliesTo(c.id)).size >= 5);
    }, 60000, "every reply after the kill").catch((err) => {
      console.log("open inbox rows:\n" + fleet.psql("SELECT id, chat_key, state, lease_owner, lease_until > now(), " +
        "attempts, last_error FROM chat.channel_inbox WHERE state IN ('pending', 'posted') ORDER BY id"));
      console.log("pending outbox rows:\n" + fleet.psql("SELECT id, conversation_id, lease_owner, lease_until > now(), " +
        "attempts, last_error FROM chat.channel_outbox WHERE state = 'pending' ORDER BY id"));
      for (const c of chats) console.log(c.id, JSON.stringify(repliesTo(c.id)));
      throw err;
    });
    const finishedMs = Date.now() - killedAt;
    await sleep(500);
    console.log(`kill -9 at ${sentAtKill}/${total} replies; all done ${finishedMs} ms later; ` +
                `longest silence of a waiting chat ${longestSilence} ms (bound ${resumeBoundMs} ms)`);
    assert.ok(longestSilence <= resumeBoundMs, `a chat waited ${longestSilence} ms`);
    let duplicates = 0;
    for (const chat of chats) {
      const got = repliesTo(chat.id);
      // At-least-once towards Telegram: a reply the victim had handed to Telegram but not yet
      // marked sent goes out again, right after itself. Anything else must be exact.
      const collapsed = got.filter((t, i) => i === 0 || t !== got[i - 1]);
      duplicates += got.length - collapsed.length;
      assert.deepEqual(collapsed, questions.get(chat.id).map(answerOf), `chat ${chat.id}`);
    }
    assert.ok(duplicates <= 1, `${duplicates} replies went out twice`);
    // Nothing left behind in the inbox or the outbox.
    assert.equal(fleet.psql("SELECT count(*) FROM chat.channel_inbox WHERE state IN ('pending', 'posted')"), "0");
    assert.equal(fleet.psql("SELECT count(*) FROM chat.channel_outbox WHERE state = 'pending'"), "0");
  });
});
