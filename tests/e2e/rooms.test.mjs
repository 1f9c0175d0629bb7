// Rooms (issue 11) end to end on two gateway replicas: members on different replicas chat in a
// public room, history pages, non-members are refused, typing reaches the other replica and ends
// by itself when the typist's socket goes, the room's bot answers /ai, and a kill -9'ed replica's
// member drops out of presence within PRESENCE_TTL_MS (+ one heartbeat and polling slack).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ChatClient, http, startFleet } from "./harness.mjs";

const PRESENCE_HEARTBEAT_MS = 500;
const PRESENCE_TTL_MS = 2000;
const ROOM_TYPING_TTL_MS = 3000;

let fleet;
let A;
let B;
const state = {};
const clients = [];

function client(base, token) {
  const c = new ChatClient(base, token);
  clients.push(c);
  return c;
}

async function joinRoom(c, roomId, sinceSeq = 0) {
  await c.opened;
  const from = c.frames.length;
  c.send({ type: "room.join", room_id: roomId, since_seq: sinceSeq });
  return c.waitUntil((x) => x.frames.slice(from).find((f) => (f.type === "room.joined" && f.room_id === roomId) ||
    (f.type === "error" && f.conversation_id === roomId && f.code !== "not_joined")), 10000, "room.joined");
}

async function presence(c, roomId) {
  const before = c.frames.length;
  c.send({ type: "room.presence", room_id: roomId });
  return c.waitUntil((x) => x.frames.slice(before).find((f) => f.type === "room.presence"), 5000, "room.presence");
}

async function widgetSession(publicId) {
  const session = await http(A, "POST", `/api/v1/widget/${publicId}/sessions`, { body: {} });
  assert.equal(session.status, 201);
  return session.body;
}

before(async () => {
  fleet = await startFleet({
    env: {
      PRESENCE_HEARTBEAT_MS: String(PRESENCE_HEARTBEAT_MS),
      PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
      ROOM_TYPING_TTL_MS: String(ROOM_TYPING_TTL_MS),
    },
  });
  [A, B] = fleet.gateways;
  const user = { email: "owner@rooms.example", username: "room_owner", password: "correct horse 42" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: user })).status, 201);
  const login = await http(A, "POST", "/api/v1/auth/login", { body: { email: user.email, password: user.password } });
  state.token = login.body.access_token;
  const bot = await http(A, "POST", "/api/v1/bots", { token: state.token, body: { name: "Helper", language: "en" } });
  assert.equal(bot.status, 201);
  state.bot = bot.body;
  state.v1 = await widgetSession(bot.body.public_id);
  state.v2 = await widgetSession(bot.body.public_id);
  const other = { email: "other@rooms.example", username: "other_owner", password: "correct horse 42" };
  assert.equal((await http(A, "POST", "/api/v1/users", { body: other })).status, 201);
  state.otherToken = (await http(A, "POST", "/api/v1/auth/login", { body: { email: other.email, password: other.password } })).body.access_token;

  const room = await http(A, "POST", "/api/v1/rooms", {
    token: state.token, body: { name: "Community", topic: "anything", visibility: "public" },
  });
  assert.equal(room.status, 201);
  assert.equal(room.body.my_role, "owner");
  state.room = room.body.id;
  const joined = await http(B, "POST", `/api/v1/rooms/${state.room}/join`, { token: state.v1.token });
  assert.equal(joined.status, 200);
  assert.equal(joined.body.my_role, "member");
});

after(() => {
  for (const c of clients) c.close();
  fleet?.stop();
});

describe("rooms on two gateway replicas", () => {
  test("members on different replicas chat; the replay shows membership events; history pages back", async () => {
    const owner = client(A, state.token);
    const visitor = client(B, state.v1.token);
    assert.equal((await joinRoom(owner, state.room)).type, "room.joined");
    assert.equal((await joinRoom(visitor, state.room)).type, "room.joined");
    state.owner = owner;
    state.visitor = visitor;
    // Replay: the owner's and the visitor's member.joined events (seq 1, 2).
    await visitor.waitUntil((c) => c.messages().length >= 2, 5000, "the replay");
    assert.deepEqual(visitor.messages().slice(0, 2).map((f) => f.message.event), ["member.joined", "member.joined"]);

    owner.send({ type: "message.send", conversation_id: state.room, client_id: "o1", text: "welcome!" });
    const ack = await owner.waitFor((f) => f.type === "message.ack" && f.client_id === "o1");
    const got = await visitor.waitFor((f) => f.type === "message.new" && f.seq === ack.seq, 10000, "owner's message on B");
    assert.equal(got.message.text, "welcome!");
    assert.equal(got.message.sender.name, "room_owner");

    visitor.send({ type: "message.send", conversation_id: state.room, client_id: "v1", text: "thanks" });
    const vack = await visitor.waitFor((f) => f.type === "message.ack" && f.client_id === "v1");
    const back = await owner.waitFor((f) => f.type === "message.new" && f.seq === vack.seq, 10000, "visitor's message on A");
    assert.equal(back.message.sender.kind, "visitor");
    assert.equal(back.message.sender.id, state.v1.visitor.id);

    // History backwards over WebSocket and REST.
    owner.send({ type: "room.history", room_id: state.room, before_seq: vack.seq, limit: 2 });
    const page = await owner.waitFor((f) => f.type === "room.history");
    assert.deepEqual(page.messages.map((m) => m.seq), [vack.seq - 2, vack.seq - 1]);
    const rest = await http(A, "GET", `/api/v1/rooms/${state.room}/messages?before_seq=${vack.seq + 1}&limit=3`, { token: state.token });
    assert.equal(rest.status, 200);
    assert.deepEqual(rest.body.messages.map((m) => m.seq), [vack.seq - 2, vack.seq - 1, vack.seq]);
  });

  test("non-members are refused: WebSocket error, 403 / 404 JSON", async () => {
    const stranger = client(B, state.v2.token);
    const refused = await joinRoom(stranger, state.room);
    assert.equal(refused.type, "error");
    assert.equal(refused.code, "forbidden");
    stranger.send({ type: "message.send", conversation_id: state.room, client_id: "x1", text: "let me in" });
    const notJoined = await stranger.waitFor((f) => f.type === "error" && f.client_id === "x1");
    assert.equal(notJoined.code, "not_joined");
    // The room is not a conversation either.
    stranger.send({ type: "conversation.join", conversation_id: state.room });
    assert.equal((await stranger.waitFor((f) => f.type === "error" && f.code === "forbidden" && f.conversation_id === state.room && f !== refused)).code, "forbidden");
    const owner2 = client(A, state.token);
    await owner2.opened;
    owner2.send({ type: "conversation.join", conversation_id: state.room });
    assert.equal((await owner2.waitFor((f) => f.type === "error")).code, "not_found");

    const messages = await http(B, "GET", `/api/v1/rooms/${state.room}/messages`, { token: state.v2.token });
    assert.equal(messages.status, 403);
    assert.equal(messages.body.error.code, "forbidden");
    const post = await http(B, "POST", `/api/v1/rooms/${state.room}/messages`, { token: state.v2.token, body: { client_id: "x2", text: "hi" } });
    assert.equal(post.status, 403);
    const foreign = await http(A, "GET", `/api/v1/rooms/${state.room}`, { token: state.otherToken });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, "not_found");
    const privateRoom = await http(A, "POST", "/api/v1/rooms", { token: state.token, body: { name: "Staff", visibility: "private" } });
    assert.equal(privateRoom.status, 201);
    assert.equal((await http(B, "GET", `/api/v1/rooms/${privateRoom.body.id}`, { token: state.v1.token })).status, 404);
    assert.equal((await http(B, "POST", `/api/v1/rooms/${privateRoom.body.id}/join`, { token: state.v1.token })).status, 404);
    const invite = await http(A, "POST", `/api/v1/rooms/${privateRoom.body.id}/invites`, { token: state.token, body: { ttl_seconds: 600 } });
    assert.equal(invite.status, 201);
    const byVisitor = await http(B, "POST", `/api/v1/rooms/${privateRoom.body.id}/join`, { token: state.v1.token, body: { invite_token: invite.body.token } });
    assert.equal(byVisitor.status, 403, "visitors join public rooms only");
  });

  test("a removed member's socket stops receiving the room and cannot post", async () => {
    assert.equal((await http(B, "POST", `/api/v1/rooms/${state.room}/join`, { token: state.v2.token })).status, 200);
    const member = client(B, state.v2.token);
    assert.equal((await joinRoom(member, state.room)).type, "room.joined");
    const removed = await http(A, "DELETE", `/api/v1/rooms/${state.room}/members/visitor/${state.v2.visitor.id}`, { token: state.token });
    assert.equal(removed.status, 200);
    await member.waitFor((f) => f.type === "conversation.left" && f.conversation_id === state.room, 10000, "conversation.left");
    const event = member.messages().find((f) => f.seq === removed.body.seq);
    assert.equal(event?.message.event, "member.removed", "its own removal is the last frame it gets");
    state.owner.send({ type: "message.send", conversation_id: state.room, client_id: "after-removal", text: "not for you" });
    const ack = await state.owner.waitFor((f) => f.type === "message.ack" && f.client_id === "after-removal");
    await state.visitor.waitFor((f) => f.type === "message.new" && f.seq === ack.seq);  // a member on B got it
    assert.ok(!member.frames.some((f) => f.type === "message.new" && f.seq === ack.seq), "the removed socket did not");
    member.send({ type: "message.send", conversation_id: state.room, client_id: "r1", text: "still here?" });
    assert.equal((await member.waitFor((f) => f.type === "error" && f.client_id === "r1")).code, "not_joined");
    assert.equal((await joinRoom(member, state.room)).code, "forbidden");
  });

  test("typing crosses replicas, carries its expiry and stops when the typist's socket goes", async () => {
    const typist = client(B, state.v1.token);
    await joinRoom(typist, state.room);
    const owner = state.owner;
    const before = owner.frames.length;
    typist.send({ type: "typing", conversation_id: state.room, state: "start" });
    const start = await owner.waitUntil((c) => c.frames.slice(before).find((f) => f.type === "typing" && f.state === "start"), 10000, "typing start");
    assert.equal(start.sender.id, state.v1.visitor.id);
    assert.equal(start.expires_in_ms, ROOM_TYPING_TTL_MS);
    typist.ws.terminate();  // no stop sent by the client
    const stop = await owner.waitUntil((c) => c.frames.slice(before).find((f) => f.type === "typing" && f.state === "stop"), 10000, "typing stop");
    assert.equal(stop.sender.id, state.v1.visitor.id);
    // Never stored: the history has no typing.
    const rest = await http(A, "GET", `/api/v1/rooms/${state.room}/messages?limit=500`, { token: state.token });
    assert.ok(rest.body.messages.every((m) => !/typing/.test(JSON.stringify(m.event ?? ""))));
  });

  test("the room's bot answers /ai and stays silent otherwise", async () => {
    const set = await http(A, "PUT", `/api/v1/rooms/${state.room}/bot`, { token: state.token, body: { bot_id: state.bot.id } });
    assert.equal(set.status, 200);
    assert.equal(set.body.bot_name, "Helper");
    const owner = state.owner;
    owner.send({ type: "message.send", conversation_id: state.room, client_id: "plain", text: "just chatting" });
    const plain = await owner.waitFor((f) => f.type === "message.ack" && f.client_id === "plain");
    owner.send({ type: "message.send", conversation_id: state.room, client_id: "ask", text: "/ai what can you do?" });
    const ask = await owner.waitFor((f) => f.type === "message.ack" && f.client_id === "ask");
    const reply = await state.visitor.waitFor((f) => f.type === "message.new" && f.message.sender.kind === "bot" && !f.message.event, 30000, "the bot's reply on B");
    assert.ok(reply.seq > ask.seq);
    // Nothing answered the plain message: the only bot message after it is the /ai reply.
    const botAfterPlain = state.visitor.messages().filter((f) => f.seq > plain.seq && f.message.sender.kind === "bot" && !f.message.event);
    assert.equal(botAfterPlain.length, 1);
  });

  test("presence: both online; a kill -9'ed replica's member drops out within the TTL bound", async () => {
    const owner = state.owner;
    const onB = client(B, state.v1.token);
    await joinRoom(onB, state.room);
    const both = await (async () => {
      const deadline = Date.now() + 5000;
      for (;;) {
        const p = await presence(owner, state.room);
        if (p.online.some((m) => m.id === state.v1.visitor.id) || Date.now() > deadline) return p;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    assert.ok(both.online.some((m) => m.kind === "user"), "the owner is online");
    assert.ok(both.online.some((m) => m.id === state.v1.visitor.id), "the visitor on B is online");
    // No socket on B is closed gracefully: only the kill removes them.

    const line = readFileSync(path.join(fleet.dir, "fleet.pids"), "utf8").split("\n").find((l) => l.endsWith(" gateway-2"));
    const killedAt = Date.now();
    process.kill(Number(line.split(" ")[0]), "SIGKILL");
    const bound = PRESENCE_TTL_MS + PRESENCE_HEARTBEAT_MS + 1000;
    let gone = null;
    while (Date.now() - killedAt < bound + 3000) {
      const p = await presence(owner, state.room);
      if (!p.online.some((m) => m.id === state.v1.visitor.id)) {
        gone = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(gone !== null, "the killed replica's member dropped out");
    assert.ok(gone <= bound, `dropped out after ${gone} ms (bound ${bound} ms)`);
    console.log(`presence: killed replica's member gone after ${gone} ms (PRESENCE_TTL_MS ${PRESENCE_TTL_MS})`);
    const p = await presence(owner, state.room);
    assert.equal(p.count, 1);
  });
});
