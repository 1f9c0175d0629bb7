// Unit test of the rooms panel's online set (web/src/room-online.ts, built into
// web/dist/assets by `npm run build`, which scripts/test.sh runs first): presence events are applied
// without a room.presence read; a full read is asked for only on join/resume and when an event
// cannot be applied (docs/benchmarks.md "Rooms fan-out").
import assert from "node:assert/strict";
import { test } from "node:test";
import { RoomOnline } from "../../web/dist/assets/room-online.js";

const ann = { kind: "visitor", id: "v1", name: "Ann" };
const bob = { kind: "user", id: "u2", name: "bob" };
const names = (o) => o.members().map((m) => m.name);

test("a join asks for the list once; events after its answer need no read", () => {
  const o = new RoomOnline();
  assert.equal(o.needList(), true);
  o.requested();
  assert.equal(o.needList(), false);
  o.list([ann]);
  assert.deepEqual(names(o), ["Ann"]);
  // 1 000 members joining and leaving: applied one by one, never a read.
  for (let i = 0; i < 1000; ++i) {
    assert.equal(o.event({ state: "join", member: { kind: "visitor", id: `x${i}`, name: `x${i}` } }), true);
    assert.equal(o.needList(), false);
  }
  assert.equal(o.members().length, 1001);
  for (let i = 0; i < 1000; ++i) o.event({ state: "leave", member: { kind: "visitor", id: `x${i}`, name: `x${i}` } });
  assert.equal(o.needList(), false);
  assert.deepEqual(names(o), ["Ann"]);
  // A second socket of a member already online changes nothing.
  assert.equal(o.event({ state: "join", member: ann }), false);
  assert.equal(o.event({ state: "join", member: bob }), true);
  assert.deepEqual(names(o), ["Ann", "bob"]);
  assert.equal(o.event({ state: "leave", member: bob }), true);
  assert.deepEqual(names(o), ["Ann"]);
});

test("an event that cannot be applied asks for the list (once while a read is outstanding)", () => {
  const o = new RoomOnline();
  o.requested();
  o.list([ann]);
  // A leave of someone not listed: the list is behind.
  assert.equal(o.event({ state: "leave", member: bob }), false);
  assert.equal(o.needList(), true);
  o.requested();
  assert.equal(o.needList(), false);
  o.list([ann, bob]);
  assert.equal(o.needList(), false);
  // Malformed events.
  o.event({ state: "join", member: { kind: "visitor", id: 7, name: "x" } });
  assert.equal(o.needList(), true);
  o.requested();
  o.list([ann]);
  o.event({ state: "away", member: bob });
  assert.equal(o.needList(), true);
  o.requested();
  o.list("not a list");
  assert.equal(o.needList(), true);
});

test("events during an outstanding read are re-applied to its answer, either order", () => {
  const o = new RoomOnline();
  o.requested();
  // bob joins and Ann leaves before the answer, which was read before both.
  o.event({ state: "join", member: bob });
  o.event({ state: "leave", member: ann });
  o.list([ann]);
  assert.deepEqual(names(o), ["bob"]);
  assert.equal(o.needList(), false);
  // The periodic re-read taken after the events: re-applying them changes nothing, asks nothing.
  o.requested();
  o.event({ state: "leave", member: bob });
  o.list([]);
  assert.deepEqual(names(o), []);
  assert.equal(o.needList(), false);
});

test("reset (reconnect) asks for the list again; an error frees the outstanding read", () => {
  const o = new RoomOnline();
  o.requested();
  o.list([ann, bob]);
  o.reset();
  assert.deepEqual(names(o), []);
  assert.equal(o.needList(), true);
  o.requested();
  o.failed();
  // Events before any list are not applied (the next read brings them).
  assert.equal(o.event({ state: "join", member: bob }), false);
  assert.deepEqual(names(o), []);
});
