// The whole product journey over real HTTP and WebSocket on two gateway replicas, with every
// service, PostgreSQL and Redis real: sign up, build a bot from a knowledge base, chat live.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ChatClient, http, repoRoot, signJwt, startFleet } from "./harness.mjs";

const faq = readFileSync(path.join(repoRoot, "deploy/seed/mozilla-faq/docs.en.jsonl"), "utf8")
  .split("\n").filter(Boolean).map((l) => JSON.parse(l));

let fleet;
let A; // gateway replica 1
let B; // gateway replica 2
const state = {};

before(async () => {
  fleet = await startFleet();
  [A, B] = fleet.gateways;
});

after(() => {
  for (const c of state.clients ?? []) c.close();
  fleet?.stop();
});

describe("a business signs up and builds a bot", () => {
  test("register, login, refresh and me", async () => {
    const user = { email: "owner@shop.example", username: "shop_owner", password: "correct horse 42" };
    const created = await http(A, "POST", "/api/v1/users", { body: user });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.email, user.email);
    assert.ok(created.body.tenant_id);

    const login = await http(B, "POST", "/api/v1/auth/login", { body: { email: user.email, password: user.password } });
    assert.equal(login.status, 200);
    assert.ok(login.body.access_token && login.body.refresh_token);
    assert.ok(login.body.expires_in > 0);

    const refreshed = await http(A, "POST", "/api/v1/auth/refresh", { body: { refresh_token: login.body.refresh_token } });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refresh_token, login.body.refresh_token);
    const reused = await http(A, "POST", "/api/v1/auth/refresh", { body: { refresh_token: login.body.refresh_token } });
    assert.equal(reused.status, 401);

    // The replay revoked the whole family, access tokens included (docs/security.md "Revoked
    // access tokens"): log in again.
    const revoked = await http(B, "GET", "/api/v1/users/me", { token: refreshed.body.access_token });
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.error.code, "token_revoked");
    const again = await http(B, "POST", "/api/v1/auth/login", { body: { email: user.email, password: user.password } });
    assert.equal(again.status, 200);
    const me = await http(B, "GET", "/api/v1/users/me", { token: again.body.access_token });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, user.username);
    state.token = again.body.access_token;
    state.user = user;
  });

  test("plans, trial subscription and plan change", async () => {
    const plans = await http(A, "GET", "/api/v1/plans");
    assert.equal(plans.status, 200);
    const codes = plans.body.plans.map((p) => p.code);
    assert.ok(codes.includes("trial") && codes.includes("pro"), codes.join(","));
    const current = await http(A, "GET", "/api/v1/subscriptions/current", { token: state.token });
    assert.equal(current.status, 200);
    assert.equal(current.body.plan.code, "trial");
    // The reply quota and the model-token allowance side by side.
    assert.deepEqual(current.body.quotas, {
      bot_replies: { used: current.body.usage.bot_replies, limit: current.body.plan.limits.max_replies_per_month },
      model_tokens: { used: current.body.usage.model_tokens, limit: current.body.plan.limits.max_tokens_per_month },
      storage_bytes: { used: current.body.usage.storage_bytes, limit: current.body.plan.limits.max_storage_bytes },
    });
    assert.equal(current.body.quotas.model_tokens.limit, 200000);
    // Attachment storage (tidy): nothing stored yet; the trial keeps 100 MiB.
    assert.deepEqual(current.body.quotas.storage_bytes, { used: 0, limit: 104857600 });
    const daily = await http(B, "GET", "/api/v1/usage/daily?days=7", { token: state.token });
    assert.equal(daily.status, 200, JSON.stringify(daily.body));
    assert.equal(daily.body.days, 7);
    assert.deepEqual(daily.body.usage, []);
    const badWindow = await http(A, "GET", "/api/v1/usage/daily?days=91", { token: state.token });
    assert.equal(badWindow.status, 400);
    assert.equal(badWindow.body.error.code, "validation_failed");
    const changed = await http(A, "POST", "/api/v1/subscriptions", { token: state.token, body: { plan: "starter" } });
    assert.ok([200, 201].includes(changed.status), JSON.stringify(changed.body));
    assert.equal(changed.body.plan.code, "starter");
  });

  test("create a bot and fill its knowledge base (JSON and file upload)", async () => {
    const bot = await http(A, "POST", "/api/v1/bots", {
      token: state.token,
      body: { name: "Relay Helper", language: "en", greeting: "Hello! Ask me about Firefox Relay and Common Voice.",
              instructions: "Answer from the knowledge base." },
    });
    assert.equal(bot.status, 201, JSON.stringify(bot.body));
    assert.ok(bot.body.id && bot.body.public_id);
    assert.equal(bot.body.language, "en");
    state.bot = bot.body;

    for (const doc of faq.slice(0, 30)) {
      const added = await http(A, "POST", `/api/v1/bots/${state.bot.id}/knowledge`, {
        token: state.token, body: { title: doc.title, format: "text", body: doc.text },
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
    }
    const form = new FormData();
    const md = faq[30];
    form.append("file", new Blob([`# ${md.title}\n\n${md.text}\n`], { type: "text/markdown" }), "relay-notes.md");
    form.append("title", md.title);
    const uploaded = await http(B, "POST", `/api/v1/bots/${state.bot.id}/knowledge`, { token: state.token, body: form });
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    assert.equal(uploaded.body.format, "markdown");
    assert.ok(uploaded.body.chunk_count >= 1);

    const listed = await http(B, "GET", `/api/v1/bots/${state.bot.id}/knowledge`, { token: state.token });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.documents.length, 31);

    const extra = await http(A, "POST", `/api/v1/bots/${state.bot.id}/knowledge`, {
      token: state.token, body: { title: "Temporary", format: "html", body: "<p>Delete <b>me</b></p>" },
    });
    assert.equal(extra.status, 201);
    const deleted = await http(A, "DELETE", `/api/v1/bots/${state.bot.id}/knowledge/${extra.body.id}`, { token: state.token });
    assert.ok([200, 204].includes(deleted.status));
    const again = await http(A, "GET", `/api/v1/bots/${state.bot.id}/knowledge`, { token: state.token });
    assert.equal(again.body.documents.length, 31);

    const patched = await http(B, "PATCH", `/api/v1/bots/${state.bot.id}`, { token: state.token, body: { name: "Mozilla Helper" } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, "Mozilla Helper");
    assert.equal(patched.body.greeting, state.bot.greeting);
    state.bot = patched.body;
  });
});

describe("a visitor chats with the bot live across two replicas", () => {
  test("widget session, question answered from the knowledge base, operator sees it on replica B", async () => {
    const session = await http(A, "POST", `/api/v1/widget/${state.bot.public_id}/sessions`, { body: {} });
    assert.equal(session.status, 201, JSON.stringify(session.body));
    assert.match(session.body.visitor.name, /^Guest \d{4}$/);
    state.session = session.body;

    const visitor = new ChatClient(A, session.body.token);
    const operator = new ChatClient(B, state.token);
    state.clients = [visitor, operator];
    await Promise.all([visitor.opened, operator.opened]);
    visitor.send({ type: "conversation.join", conversation_id: session.body.conversation_id, since_seq: 0 });
    operator.send({ type: "conversation.join", conversation_id: session.body.conversation_id, since_seq: 0 });
    await visitor.waitFor((f) => f.type === "conversation.joined", 10000, "visitor joined");
    await operator.waitFor((f) => f.type === "conversation.joined", 10000, "operator joined");
    const greeting = await visitor.waitFor((f) => f.type === "message.new" && f.seq === 1, 10000, "greeting");
    assert.equal(greeting.message.sender.kind, "bot");

    const question = "Can I reply to emails sent to my Relay mask?";
    visitor.send({ type: "message.send", conversation_id: session.body.conversation_id, client_id: "q-1", text: question });
    const ack = await visitor.waitFor((f) => f.type === "message.ack" && f.client_id === "q-1", 10000, "ack");
    assert.equal(ack.seq, 2);

    const reply = await operator.waitFor((f) => f.type === "message.new" && f.message.sender.kind === "bot" && f.seq > 2, 20000, "bot reply on replica B");
    assert.match(reply.message.text, /“[^”]+”|"[^"]+"/, "reply names its source document");
    const replyTitle = faq.find((d) => reply.message.text.includes(d.title));
    assert.ok(replyTitle, `reply quotes a knowledge base document: ${reply.message.text}`);
    assert.match(reply.message.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    // The reply carries the passage it is based on (docs/protocol.md "message.new").
    assert.ok(Array.isArray(reply.message.sources) && reply.message.sources.length >= 1, JSON.stringify(reply.message));
    assert.ok(reply.message.text.includes(reply.message.sources[0].document_title), "the source is the quoted document");
    assert.ok(reply.message.sources[0].document_id && reply.message.sources[0].chunk_id);
    const seenByOperator = await operator.waitFor((f) => f.type === "message.new" && f.seq === 2, 10000, "visitor message on B");
    assert.equal(seenByOperator.message.text, question);
    assert.equal(seenByOperator.message.sender.kind, "visitor");
    assert.equal("sources" in seenByOperator.message, false, "no sources key on other messages");
    await visitor.waitFor((f) => f.type === "message.new" && f.seq === reply.seq, 10000, "reply on A");
    state.lastSeq = reply.seq;
  });

  test("an operator message reaches the visitor; an unknown question gets an honest don't-know", async () => {
    const [visitor, operator] = state.clients;
    operator.send({ type: "message.send", conversation_id: state.session.conversation_id, client_id: "op-1", text: "Hi, a human here too." });
    const opMsg = await visitor.waitFor((f) => f.type === "message.new" && f.message.sender.kind === "operator", 10000, "operator message");
    assert.equal(opMsg.message.text, "Hi, a human here too.");

    visitor.send({ type: "message.send", conversation_id: state.session.conversation_id, client_id: "q-2", text: "What is the boiling point of tungsten?" });
    const ack = await visitor.waitFor((f) => f.type === "message.ack" && f.client_id === "q-2");
    const reply = await visitor.waitFor((f) => f.type === "message.new" && f.seq > ack.seq && f.message.sender.kind === "bot", 20000, "don't-know reply");
    assert.match(reply.message.text, /don't know|do not know/i);

    // Small talk in the visitor's language, without a model key (the extractive answerer).
    visitor.send({ type: "message.send", conversation_id: state.session.conversation_id, client_id: "q-3", text: "Привет!" });
    const ack3 = await visitor.waitFor((f) => f.type === "message.ack" && f.client_id === "q-3");
    const hello = await visitor.waitFor((f) => f.type === "message.new" && f.seq > ack3.seq && f.message.sender.kind === "bot", 20000, "greeting reply");
    assert.equal(hello.message.text, "Здравствуйте! Задайте вопрос — я отвечу по своей базе знаний.");
    state.lastSeq = hello.seq;
  });

  test("/ai: an operator asks the bot directly; a bare /ai gets the usage hint", async () => {
    const [visitor, operator] = state.clients;
    operator.send({ type: "message.send", conversation_id: state.session.conversation_id, client_id: "op-ai-1",
      text: "/AI Can I reply to emails sent to my Relay mask?" });
    const ack = await operator.waitFor((f) => f.type === "message.ack" && f.client_id === "op-ai-1", 10000, "ack of /ai");
    const command = await visitor.waitFor((f) => f.type === "message.new" && f.seq === ack.seq, 10000, "the command, stored as sent");
    assert.equal(command.message.text, "/AI Can I reply to emails sent to my Relay mask?");
    assert.equal(command.message.sender.kind, "operator");
    const answer = await visitor.waitFor((f) => f.type === "message.new" && f.seq > ack.seq && f.message.sender.kind === "bot", 20000, "the bot answers the operator");
    assert.ok(faq.some((d) => answer.message.text.includes(d.title)), `answered from the knowledge base: ${answer.message.text}`);

    operator.send({ type: "message.send", conversation_id: state.session.conversation_id, client_id: "op-ai-2", text: "/ai" });
    const ack2 = await operator.waitFor((f) => f.type === "message.ack" && f.client_id === "op-ai-2", 10000, "ack of bare /ai");
    const hint = await visitor.waitFor((f) => f.type === "message.new" && f.seq > ack2.seq && f.message.sender.kind === "bot", 20000, "usage hint");
    assert.equal(hint.message.text, "To ask me directly, write: /ai <your question>");
    state.lastSeq = hint.seq;
  });

  test("a reconnect with since_seq misses nothing", async () => {
    const [visitor] = state.clients;
    const all = visitor.messages();
    visitor.close();
    const again = new ChatClient(B, state.session.token);
    state.clients.push(again);
    await again.opened;
    again.send({ type: "conversation.join", conversation_id: state.session.conversation_id, since_seq: 2 });
    await again.waitFor((f) => f.type === "conversation.joined");
    const replayed = again.messages().map((f) => f.seq);
    const expected = all.map((f) => f.seq).filter((s) => s > 2);
    assert.deepEqual(replayed, expected);
    const rest = await http(A, "GET", `/api/v1/conversations/${state.session.conversation_id}/messages?since_seq=0`, { token: state.token });
    assert.equal(rest.status, 200);
    assert.deepEqual(rest.body.messages.map((m) => m.seq), all.map((f) => f.seq));
    // REST lists the same message objects as the frames (sources included), plus seq.
    assert.deepEqual(rest.body.messages, all.map((f) => ({ seq: f.seq, ...f.message })));
    const convs = await http(B, "GET", `/api/v1/bots/${state.bot.id}/conversations`, { token: state.token });
    assert.equal(convs.status, 200);
    assert.ok(convs.body.conversations.some((c) => c.id === state.session.conversation_id));
    state.visitor = again;
  });

  test("inbox: takeover silences the bot, unread counts, typing, handback", async () => {
    const visitor = state.visitor;
    const cid = state.session.conversation_id;
    const operator = new ChatClient(A, state.token);
    state.clients.push(operator);
    await operator.opened;
    operator.send({ type: "conversation.join", conversation_id: cid, since_seq: state.lastSeq });
    const joined = await operator.waitFor((f) => f.type === "conversation.joined", 10000, "operator joined");
    assert.equal(joined.handler, "bot");

    // The visitor asks for a person: the inbox sees the flag.
    visitor.send({ type: "handoff.request", conversation_id: cid });
    await operator.waitFor((f) => f.type === "conversation.state" && f.waiting_for_human, 10000, "waiting on B");
    let list = await http(B, "GET", `/api/v1/bots/${state.bot.id}/conversations`, { token: state.token });
    let conv = list.body.conversations.find((c) => c.id === cid);
    assert.equal(conv.waiting_for_human, true);
    assert.equal(conv.handler, "bot");
    assert.ok(conv.unread_count > 0, JSON.stringify(conv));

    const taken = await http(A, "POST", `/api/v1/conversations/${cid}/takeover`, { token: state.token });
    assert.equal(taken.status, 200, JSON.stringify(taken.body));
    assert.equal(taken.body.handler, "human");
    await visitor.waitFor((f) => f.type === "conversation.state" && f.handler === "human", 10000, "visitor sees the person");

    // Typing from the operator reaches the visitor with its sender kind.
    operator.send({ type: "typing", conversation_id: cid, state: "start" });
    const typing = await visitor.waitFor((f) => f.type === "typing" && f.state === "start", 10000, "operator typing");
    assert.equal(typing.sender.kind, "operator");

    // Under takeover the bot stays silent: the operator's reply is the next message after the visitor's.
    visitor.send({ type: "message.send", conversation_id: cid, client_id: "h-1", text: "Is a person there?" });
    const ack = await visitor.waitFor((f) => f.type === "message.ack" && f.client_id === "h-1", 10000, "ack");
    operator.send({ type: "message.send", conversation_id: cid, client_id: "h-op-1", text: "Yes, I am here." });
    const human = await visitor.waitFor((f) => f.type === "message.new" && f.seq > ack.seq, 20000, "next message");
    assert.equal(human.message.sender.kind, "operator", JSON.stringify(human));

    // Unread: the user marks everything read; the list agrees.
    const read = await http(A, "POST", `/api/v1/conversations/${cid}/read`, { token: state.token, body: { seq: human.seq } });
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(read.body.read_seq, human.seq);
    assert.equal(read.body.unread_count, 0);
    list = await http(B, "GET", `/api/v1/bots/${state.bot.id}/conversations`, { token: state.token });
    conv = list.body.conversations.find((c) => c.id === cid);
    assert.equal(conv.unread_count, 0);
    assert.equal(conv.read_seq, human.seq);
    const bad = await http(A, "POST", `/api/v1/conversations/${cid}/read`, { token: state.token, body: { seq: -1 } });
    assert.equal(bad.status, 400);

    const back = await http(B, "POST", `/api/v1/conversations/${cid}/handback`, { token: state.token });
    assert.equal(back.status, 200);
    assert.equal(back.body.handler, "bot");
    await visitor.waitFor((f) => f.type === "conversation.state" && f.handler === "bot", 10000, "back to the bot");
    visitor.send({ type: "message.send", conversation_id: cid, client_id: "h-2", text: "Can I reply to emails sent to my Relay mask?" });
    const ack2 = await visitor.waitFor((f) => f.type === "message.ack" && f.client_id === "h-2", 10000, "ack 2");
    const botAgain = await visitor.waitFor((f) => f.type === "message.new" && f.seq > ack2.seq && f.message.sender.kind === "bot", 20000, "bot answers again");
    state.lastSeq = botAgain.seq;

    // Analytics of the tenant today: the journey's messages by kind, answered and don't-know replies.
    const stats = await http(B, "GET", "/api/v1/analytics?days=7", { token: state.token });
    assert.equal(stats.status, 200, JSON.stringify(stats.body));
    assert.equal(stats.body.daily.length, 7);
    const today = stats.body.daily.at(-1);
    assert.ok(today.messages.visitor >= 5 && today.messages.bot >= 5 && today.messages.operator >= 3, JSON.stringify(today));
    assert.ok(today.conversations_started >= 1);
    assert.ok(today.answered >= 1 && today.unanswered >= 1, JSON.stringify(today));
    assert.ok(stats.body.totals.answered_share > 0 && stats.body.totals.answered_share < 1);
    assert.ok(stats.body.quota.bot_replies.used >= 1, JSON.stringify(stats.body.quota));
    const badDays = await http(B, "GET", "/api/v1/analytics?days=91", { token: state.token });
    assert.equal(badDays.status, 400);
  });
});

describe("bad input gets a clear error and loses nothing", () => {
  test("malformed JSON is 400 with an error body", async () => {
    const res = await http(A, "POST", "/api/v1/auth/login", { body: "{not json", headers: { "Content-Type": "application/json" } });
    assert.equal(res.status, 400);
    assert.ok(res.body.error.code && res.body.error.message);
  });

  test("missing and expired tokens are 401", async () => {
    assert.equal((await http(A, "GET", "/api/v1/bots")).status, 401);
    const expired = signJwt({ iss: "botfactory", sub: "x", tid: "y", kind: "user", iat: 1000, exp: 2000 });
    const res = await http(A, "GET", "/api/v1/bots", { token: expired });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, "unauthorized");
  });

  test("wrong password is 401 without saying which field was wrong", async () => {
    const wrong = await http(A, "POST", "/api/v1/auth/login", { body: { email: state.user.email, password: "nope-nope-nope" } });
    const unknown = await http(A, "POST", "/api/v1/auth/login", { body: { email: "ghost@nowhere.example", password: "nope-nope-nope" } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
  });

  test("another tenant's bot is 404", async () => {
    const other = { email: "rival@other.example", username: "rival", password: "another pass 77" };
    assert.equal((await http(A, "POST", "/api/v1/users", { body: other })).status, 201);
    const login = await http(A, "POST", "/api/v1/auth/login", { body: { email: other.email, password: other.password } });
    const res = await http(B, "GET", `/api/v1/bots/${state.bot.id}`, { token: login.body.access_token });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, "not_found");
    const del = await http(B, "DELETE", `/api/v1/bots/${state.bot.id}`, { token: login.body.access_token });
    assert.equal(del.status, 404);
    const mine = await http(A, "GET", `/api/v1/bots/${state.bot.id}`, { token: state.token });
    assert.equal(mine.status, 200);
  });

  test("oversized body is 413", async () => {
    const huge = JSON.stringify({ name: "big", greeting: "x".repeat(1536 * 1024) });
    const res = await http(A, "POST", "/api/v1/bots", {
      token: state.token, body: huge, headers: { "Content-Type": "application/json" },
    }).catch((e) => ({ status: "connection closed: " + e.message }));
    assert.equal(res.status, 413);
  });

  test("WebSocket: unknown type, bad text and repeated client_id; socket stays open", async () => {
    const v = state.visitor;
    const cid = state.session.conversation_id;
    v.send({ type: "no.such.type" });
    await v.waitFor((f) => f.type === "error" && f.code === "unknown_type");
    v.send({ type: "message.send", conversation_id: cid, client_id: "empty-1", text: "   " });
    await v.waitFor((f) => f.type === "error" && f.code === "invalid_text");
    v.send({ type: "message.send", conversation_id: cid, client_id: "long-1", text: "y".repeat(4001) });
    await v.waitFor((f) => f.type === "error" && f.code === "invalid_text" && f !== v.frames.find((x) => x.code === "invalid_text"));
    const before = await http(A, "GET", `/api/v1/conversations/${cid}/messages?since_seq=0`, { token: state.token });

    v.send({ type: "message.send", conversation_id: cid, client_id: "dup-1", text: "How do I delete my Relay account?" });
    const first = await v.waitFor((f) => f.type === "message.ack" && f.client_id === "dup-1");
    v.frames = v.frames.filter((f) => f !== first);
    v.send({ type: "message.send", conversation_id: cid, client_id: "dup-1", text: "How do I delete my Relay account?" });
    const second = await v.waitFor((f) => f.type === "message.ack" && f.client_id === "dup-1");
    assert.equal(second.seq, first.seq);
    assert.equal(second.message_id, first.message_id);
    const afterRes = await http(A, "GET", `/api/v1/conversations/${cid}/messages?since_seq=${before.body.messages.at(-1).seq}`, { token: state.token });
    const dupRows = afterRes.body.messages.filter((m) => m.text === "How do I delete my Relay account?");
    assert.equal(dupRows.length, 1);
    assert.ok(!afterRes.body.messages.some((m) => m.text.trim() === "" || m.text.length > 4000));
    assert.equal(v.closed, null, "socket stays open");
  });

  test("visitor cannot join another conversation", async () => {
    const other = await http(A, "POST", `/api/v1/widget/${state.bot.public_id}/sessions`, { body: { name: "Alice" } });
    assert.equal(other.body.visitor.name, "Alice");
    state.visitor.send({ type: "conversation.join", conversation_id: other.body.conversation_id, since_seq: 0 });
    await state.visitor.waitFor((f) => f.type === "error" && f.code === "forbidden");
  });

  test("WebSocket frame over the limit closes with 1009", async () => {
    const c = new ChatClient(A, state.session.token);
    state.clients.push(c);
    await c.opened;
    c.send(JSON.stringify({ type: "message.send", text: "z".repeat(70000) }));
    const closed = await c.waitUntil((x) => x.closed, 10000, "close");
    assert.equal(closed.code, 1009);
  });

  test("a bad token is refused at upgrade", async () => {
    const c = new ChatClient(A, "garbage");
    await assert.rejects(c.opened, /401/);
  });

  test("a tenant past its quota: the visitor gets a polite message instead of a reply", async () => {
    const tenant = fleet.psql(`SELECT tenant_id FROM billing.subscriptions WHERE plan_code = 'starter' LIMIT 1`);
    fleet.psql(`UPDATE billing.usage SET used = 2000 WHERE tenant_id = '${tenant}' AND resource = 'bot_replies'`);
    const count = fleet.psql(`SELECT count(*) FROM billing.usage WHERE tenant_id = '${tenant}' AND resource = 'bot_replies' AND used = 2000`);
    assert.equal(count, "1");
    const v = state.visitor;
    v.send({ type: "message.send", conversation_id: state.session.conversation_id, client_id: "q-quota", text: "How do I use Common Voice?" });
    const ack = await v.waitFor((f) => f.type === "message.ack" && f.client_id === "q-quota");
    const reply = await v.waitFor((f) => f.type === "message.new" && f.seq > ack.seq && f.message.sender.kind === "bot", 20000, "quota message");
    assert.match(reply.message.text, /can't reply right now/);
  });
});
