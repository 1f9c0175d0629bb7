// Editing, deleting and calls end to end (issue 11) against the real fleet on two gateway
// replicas: an edit and a delete seen live on the other replica and after a resume by since_seq,
// the refusals (someone else's message, the window), versions for staff only; WebRTC signalling
// between a visitor on one replica and an operator on the other (offer → answer → ICE →
// hang-up), busy, reject, the ring timeout (CALL_RING_TIMEOUT_MS = 2000 here) and a socket closing
// mid-call.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ChatClient, http, startFleet } from "./harness.mjs";

const owner = { email: "owner@edits.example", username: "edits_owner", password: "edits-pass-2026" };
let fleet;
let A;
let B;
const state = { clients: [] };

before(async () => {
  fleet = await startFleet({ env: { CALL_RING_TIMEOUT_MS: "2000" } });
  [A, B] = fleet.gateways;
  assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
  const login = await http(A, "POST", "/api/v1/auth/login", { body: { email: owner.email, password: owner.password } });
  state.token = login.body.access_token;
  state.userId = JSON.parse(Buffer.from(state.token.split(".")[1], "base64url").toString()).sub;
  const bot = await http(A, "POST", "/api/v1/bots", {
    token: state.token, body: { name: "Edit Helper", language: "en", greeting: "Hello!" },
  });
  assert.equal(bot.status, 201, JSON.stringify(bot.body));
  state.bot = bot.body;
});

after(() => {
  for (const c of state.clients) c.close();
  fleet?.stop();
});

async function client(base, token) {
  const c = new ChatClient(base, token);
  state.clients.push(c);
  await c.opened;
  return c;
}

async function join(c, id, since = 0) {
  c.send({ type: "conversation.join", conversation_id: id, since_seq: since });
  await c.waitFor((f) => f.type === "conversation.joined" && f.conversation_id === id, 10000, "joined");
}

async function visitor(base, name) {
  const session = await http(base, "POST", `/api/v1/widget/${state.bot.public_id}/sessions`, { body: { name } });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  const c = await client(base, session.body.token);
  await join(c, session.body.conversation_id);
  return { client: c, token: session.body.token, id: session.body.conversation_id, sub: JSON.parse(Buffer.from(session.body.token.split(".")[1], "base64url").toString()).sub };
}

describe("editing and deleting", () => {
  test("edit and delete are seen live on the other replica and after a resume; refusals", async () => {
    const v = await visitor(A, "Edit Visitor");
    const op = await client(B, state.token);
    await join(op, v.id);

    v.client.send({ type: "message.send", conversation_id: v.id, client_id: "e-1", text: "helo wrold" });
    const ack = await v.client.waitFor((f) => f.type === "message.ack" && f.client_id === "e-1", 10000, "ack");
    const seq = ack.seq;

    v.client.send({ type: "message.edit", conversation_id: v.id, seq, text: "hello world" });
    const ok = await v.client.waitFor((f) => f.type === "message.edit.ok" && f.target_seq === seq, 10000, "edit ok");
    assert.ok(ok.seq > seq);
    const edited = await op.waitFor((f) => f.type === "message.edited" && f.target_seq === seq, 10000, "edited on B");
    assert.equal(edited.seq, ok.seq);
    assert.equal(edited.message.text, "hello world");
    assert.ok(edited.message.edited_at);

    // Someone else's message: the operator may not edit the visitor's, the visitor not the bot's.
    op.send({ type: "message.edit", conversation_id: v.id, seq, text: "hijacked" });
    const forbidden = await op.waitFor((f) => f.type === "error" && f.code === "forbidden", 10000, "forbidden");
    assert.equal(forbidden.conversation_id, v.id);
    v.client.send({ type: "message.delete", conversation_id: v.id, seq: 1 });
    await v.client.waitFor((f) => f.type === "error" && f.code === "forbidden", 10000, "greeting forbidden");

    // The operator deletes its own message: a tombstone on the visitor's replica.
    op.send({ type: "message.send", conversation_id: v.id, client_id: "o-1", text: "wrong customer, sorry" });
    const opAck = await op.waitFor((f) => f.type === "message.ack" && f.client_id === "o-1", 10000, "op ack");
    op.send({ type: "message.delete", conversation_id: v.id, seq: opAck.seq });
    const deleted = await v.client.waitFor((f) => f.type === "message.deleted" && f.target_seq === opAck.seq, 10000, "deleted on A");
    assert.equal(deleted.message.text, "");
    assert.equal(deleted.message.deleted, true);

    // Resume after the edited message, on the other replica: the events bring the final state.
    const again = await client(B, v.token);
    await join(again, v.id, seq);
    const replayed = again.frames.find((f) => f.type === "message.edited" && f.target_seq === seq);
    assert.ok(replayed, JSON.stringify(again.frames));
    assert.equal(replayed.message.text, "hello world");
    assert.ok(again.frames.find((f) => f.type === "message.deleted" && f.target_seq === opAck.seq));
    // Resume from the start: the messages themselves are in their final state.
    const fresh = await client(A, v.token);
    await join(fresh, v.id, 0);
    const message = fresh.frames.find((f) => f.type === "message.new" && f.seq === seq);
    assert.equal(message.message.text, "hello world");
    assert.ok(message.message.edited_at);
    const tomb = fresh.frames.find((f) => f.type === "message.new" && f.seq === opAck.seq);
    assert.equal(tomb.message.text, "");
    assert.equal(tomb.message.deleted, true);

    // Versions: staff only.
    const versions = await http(A, "GET", `/api/v1/conversations/${v.id}/messages/${seq}/versions`, { token: state.token });
    assert.equal(versions.status, 200, JSON.stringify(versions.body));
    assert.deepEqual(versions.body.versions.map((x) => x.text), ["helo wrold"]);
    assert.equal(versions.body.message.text, "hello world");
    const deletedVersions = await http(B, "GET", `/api/v1/conversations/${v.id}/messages/${opAck.seq}/versions`, { token: state.token });
    assert.deepEqual(deletedVersions.body.versions.map((x) => x.replaced_by), ["delete"]);
    assert.equal(deletedVersions.body.versions[0].text, "wrong customer, sorry");
    const asVisitor = await http(A, "GET", `/api/v1/conversations/${v.id}/messages/${seq}/versions`, { token: v.token });
    assert.equal(asVisitor.status, 403);

    // The window (5 minutes) closed: the message is made 10 minutes old.
    fleet.psql(`UPDATE chat.messages SET created_at = now() - interval '10 minutes' WHERE conversation_id = '${v.id}' AND seq = ${seq}`);
    v.client.send({ type: "message.edit", conversation_id: v.id, seq, text: "too late" });
    await v.client.waitFor((f) => f.type === "error" && f.code === "edit_window_closed", 10000, "window closed");
  });
});

describe("calls", () => {
  test("operator ↔ visitor on different replicas: offer, answer, ICE both ways, hang-up; busy; reject; ring timeout; disconnect", async () => {
    const v = await visitor(A, "Call Visitor");
    const v2 = await visitor(A, "Second Caller");
    const op = await client(B, state.token);
    await join(op, v.id);
    await join(op, v2.id);

    op.send({ type: "call.config", conversation_id: v.id });
    const config = await op.waitFor((f) => f.type === "call.config", 10000, "config");
    assert.ok(Array.isArray(config.ice_servers));
    assert.equal(config.ring_timeout_ms, 2000);

    op.send({ type: "call.invite", conversation_id: v.id, sdp: "v=0 offer" });
    const ringing = await op.waitFor((f) => f.type === "call.ringing", 10000, "ringing");
    const callId = ringing.call_id;
    const invite = await v.client.waitFor((f) => f.type === "call.invite" && f.call_id === callId, 10000, "invite on A");
    assert.equal(invite.sdp, "v=0 offer");
    assert.equal(invite.from.kind, "operator");
    assert.equal(invite.from.id, state.userId);
    v.client.send({ type: "call.answer", conversation_id: v.id, call_id: callId, sdp: "v=0 answer" });
    const answer = await op.waitFor((f) => f.type === "call.answer" && f.call_id === callId, 10000, "answer on B");
    assert.equal(answer.sdp, "v=0 answer");
    const candidate = { candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host", sdpMid: "0", sdpMLineIndex: 0 };
    op.send({ type: "call.ice", conversation_id: v.id, call_id: callId, candidate });
    const ice = await v.client.waitFor((f) => f.type === "call.ice" && f.call_id === callId, 10000, "ice on A");
    assert.deepEqual(ice.candidate, candidate);
    v.client.send({ type: "call.ice", conversation_id: v.id, call_id: callId, candidate });
    await op.waitFor((f) => f.type === "call.ice" && f.call_id === callId, 10000, "ice on B");
    // The other visitor of the tenant never sees this call's signalling.
    assert.equal(v2.client.frames.filter((f) => f.type.startsWith("call.")).length, 0);

    // Busy: the operator is in a call; the second visitor calling it gets call.busy, and the
    // operator cannot start another call.
    v2.client.send({ type: "call.invite", conversation_id: v2.id, sdp: "v=0 offer 2", to: { kind: "operator", id: state.userId } });
    await v2.client.waitFor((f) => f.type === "call.busy", 10000, "callee busy");
    op.send({ type: "call.invite", conversation_id: v2.id, sdp: "v=0 offer 3" });
    await op.waitFor((f) => f.type === "error" && f.code === "busy", 10000, "caller busy");
    // Someone else's call.
    v2.client.send({ type: "call.hangup", conversation_id: v2.id, call_id: callId });
    await v2.client.waitFor((f) => f.type === "error" && f.code === "call_not_found", 10000, "not v2's call");

    v.client.send({ type: "call.hangup", conversation_id: v.id, call_id: callId });
    const hangup = await op.waitFor((f) => f.type === "call.hangup" && f.call_id === callId, 10000, "hangup on B");
    assert.equal(hangup.reason, "hangup");

    // Free again: a call rejected by the visitor.
    op.send({ type: "call.invite", conversation_id: v.id, sdp: "v=0 offer 4" });
    const ring2 = await op.waitFor((f) => f.type === "call.ringing" && f.call_id !== callId, 10000, "ringing 2");
    await v.client.waitFor((f) => f.type === "call.invite" && f.call_id === ring2.call_id, 10000, "invite 2");
    v.client.send({ type: "call.reject", conversation_id: v.id, call_id: ring2.call_id });
    await op.waitFor((f) => f.type === "call.reject" && f.call_id === ring2.call_id, 10000, "rejected");
    v.client.send({ type: "call.answer", conversation_id: v.id, call_id: ring2.call_id, sdp: "late" });
    await v.client.waitFor((f) => f.type === "error" && ["call_not_found", "call_not_ringing"].includes(f.code), 10000, "late answer");

    // Nobody answers: the caller gets call.timeout, the callee call.missed.
    op.send({ type: "call.invite", conversation_id: v2.id, sdp: "v=0 offer 5" });
    const ring3 = await op.waitFor((f) => f.type === "call.ringing" && f.conversation_id === v2.id, 10000, "ringing 3");
    await op.waitFor((f) => f.type === "call.timeout" && f.call_id === ring3.call_id, 10000, "timeout");
    await v2.client.waitFor((f) => f.type === "call.missed" && f.call_id === ring3.call_id, 10000, "missed");
    // And the operator is free once more.
    op.send({ type: "call.invite", conversation_id: v.id, sdp: "v=0 offer 6" });
    const ring4 = await op.waitFor((f) => f.type === "call.ringing" && f.conversation_id === v.id &&
      ![callId, ring2.call_id].includes(f.call_id), 10000, "ringing 4");
    op.send({ type: "call.hangup", conversation_id: v.id, call_id: ring4.call_id });
    await v.client.waitFor((f) => f.type === "call.hangup" && f.call_id === ring4.call_id, 10000, "cancelled");

    // A socket that closes mid-call hangs up for its holder ("disconnected").
    op.send({ type: "call.invite", conversation_id: v.id, sdp: "v=0 offer 7" });
    const ring5 = await op.waitFor((f) => f.type === "call.ringing" && f.conversation_id === v.id &&
      ![callId, ring2.call_id, ring4.call_id].includes(f.call_id), 10000, "ringing 5");
    await v.client.waitFor((f) => f.type === "call.invite" && f.call_id === ring5.call_id, 10000, "invite 5");
    v.client.send({ type: "call.answer", conversation_id: v.id, call_id: ring5.call_id, sdp: "v=0 answer 5" });
    await op.waitFor((f) => f.type === "call.answer" && f.call_id === ring5.call_id, 10000, "answer 5");
    v.client.close();
    const gone = await op.waitFor((f) => f.type === "call.hangup" && f.call_id === ring5.call_id, 10000, "disconnected");
    assert.equal(gone.reason, "disconnected");
  });
  test("room calls: a member rings another member; a caller that is no member any more gets forbidden (harden)", async () => {
    const created = await http(A, "POST", "/api/v1/rooms", { token: state.token, body: { name: "Call room", visibility: "public" } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const roomId = created.body.id;
    // Two visitors of the tenant join the public room: the caller on A, the callee on B.
    const caller = await visitor(A, "Room Caller");
    const callee = await visitor(B, "Room Callee");
    for (const m of [caller, callee]) {
      assert.equal((await http(A, "POST", `/api/v1/rooms/${roomId}/join`, { token: m.token })).status, 200);
      m.client.send({ type: "room.join", room_id: roomId, since_seq: 0 });
      await m.client.waitFor((f) => f.type === "room.joined" && f.room_id === roomId, 10000, "room.joined");
    }
    const ring = () => {
      caller.client.send({ type: "call.invite", conversation_id: roomId, sdp: "v=0 room offer", to: { kind: "visitor", id: callee.sub } });
    };
    // A member rings another across replicas, then cancels.
    ring();
    const ringing = await caller.client.waitFor((f) => f.type === "call.ringing" && f.conversation_id === roomId, 10000, "room ringing");
    await callee.client.waitFor((f) => f.type === "call.invite" && f.call_id === ringing.call_id, 10000, "room invite on B");
    caller.client.send({ type: "call.hangup", conversation_id: roomId, call_id: ringing.call_id });
    await callee.client.waitFor((f) => f.type === "call.hangup" && f.call_id === ringing.call_id, 10000, "room cancel on B");

    // The caller's membership goes without an event reaching its socket (as when it is removed
    // and the member.removed frame is still on its way): still joined, its ring is refused.
    fleet.psql(`DELETE FROM chat.room_members WHERE room_id = '${roomId}' AND member_kind = 'visitor' AND member_id = '${caller.sub}'`);
    const from = caller.client.frames.length;
    ring();
    const refused = await caller.client.waitFor((f) => caller.client.frames.indexOf(f) >= from && f.conversation_id === roomId &&
      ["error", "call.ringing", "call.busy"].includes(f.type), 10000, "refused ring");
    assert.equal(refused.type, "error", JSON.stringify(refused));
    assert.equal(refused.code, "forbidden");
    assert.match(refused.message, /member/);
    assert.equal(callee.client.frames.filter((f) => f.type === "call.invite").length, 1);
  });
});
