// WebSocket conformance of the gateway's `/ws` (RFC 6455), re-creating the Autobahn testsuite's
// categories with raw frames over real sockets against a real fleet: 1 framing, 2 pings/pongs,
// 3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8 handling, 7 close handling, 9 limits
// (big messages), plus the opening handshake. Each test names the RFC section it holds. Then
// interop with a second, independent client implementation (the npm `ws` package).
//
// What "fail the connection" means here (RFC 6455 section 7.1.7): the gateway sends a close
// frame with the code of section 7.4.1 and then closes the TCP connection (section 7.1.1: the
// server closes first). Data-level choices of the product (docs/protocol.md): every data frame
// is a JSON text frame; a binary message or bad JSON gets an `error` frame and the socket stays
// open.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import WebSocket from "ws";
import { http, startFleet } from "./harness.mjs";
import { Op, RawWs, closePayload, frame } from "./raw_ws.mjs";

const MAX_MESSAGE = 16384; // WS_MAX_FRAME_BYTES default (docs/protocol.md)
const PING_JSON = JSON.stringify({ type: "ping" });

let fleet;
let A; // gateway replica 1
let B; // gateway replica 2
const state = {};
let open = []; // sockets of the running test

before(async () => {
  fleet = await startFleet();
  [A, B] = fleet.gateways;
  const user = { email: "conformance@ws.example", username: "ws_owner", password: "correct horse 42" };
  const created = await http(A, "POST", "/api/v1/users", { body: user });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const login = await http(A, "POST", "/api/v1/auth/login", { body: { email: user.email, password: user.password } });
  assert.equal(login.status, 200);
  state.userToken = login.body.access_token;
  const bot = await http(A, "POST", "/api/v1/bots", {
    token: state.userToken,
    body: { name: "Conformance", language: "en", greeting: "Hello!", instructions: "Answer from the knowledge base." },
  });
  assert.equal(bot.status, 201, JSON.stringify(bot.body));
  state.bot = bot.body;
  const session = await http(A, "POST", `/api/v1/widget/${bot.body.public_id}/sessions`, { body: {} });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  state.token = session.body.token;
  state.conversationId = session.body.conversation_id;
});

afterEach(() => {
  for (const ws of open) ws.destroy();
  open = [];
});

after(() => fleet?.stop());

/** A raw socket on replica A with the visitor token. */
async function connect(options) {
  const ws = await RawWs.connect(A, state.token, options);
  open.push(ws);
  return ws;
}

/** A JSON text frame padded with spaces to exactly `size` bytes (spaces are valid JSON). */
function pingOfSize(size) {
  return PING_JSON + " ".repeat(size - PING_JSON.length);
}

/** Asserts the gateway failed the connection with `code` (section 7.1.7) and closed TCP. */
async function expectFailed(ws, codes, what) {
  const expected = Array.isArray(codes) ? codes : [codes];
  const close = await ws.closeFrame(5000);
  assert.ok(expected.includes(close.code), `${what}: close code ${close.code}, expected ${expected.join(" or ")}`);
  assert.equal(close.frame.masked, false, "server frames are never masked (5.1)");
  await ws.tcpClose(5000);
  return close;
}

/** Asserts a JSON `{"type":"pong"}` answer arrives (the message was accepted whole). */
async function expectPongJson(ws) {
  const reply = await ws.nextJson();
  assert.deepEqual(reply, { type: "pong" });
}

describe("opening handshake (RFC 6455 section 4)", () => {
  test("4.2.2: 101 with the Sec-WebSocket-Accept of the key, no extension negotiated", async () => {
    const ws = await connect(); // RawWs.connect checks the accept value
    assert.equal(ws.headers.upgrade.toLowerCase(), "websocket");
    assert.equal(ws.headers["sec-websocket-extensions"], undefined);
  });

  test("4.2.2 + docs/protocol.md: a missing token is refused with 401 before the upgrade", async () => {
    await assert.rejects(RawWs.connect(A, undefined), (e) => e.status === 401);
    await assert.rejects(RawWs.connect(A, "not.a.token"), (e) => e.status === 401);
  });

  test("4.4: an unsupported Sec-WebSocket-Version is refused naming version 13", async () => {
    await assert.rejects(RawWs.connect(A, state.token, { headers: { "Sec-WebSocket-Version": "8" } }), (e) => {
      assert.ok(e.status >= 400 && e.status < 500, `status ${e.status}`);
      if (e.status === 426) assert.equal(e.headers["sec-websocket-version"], "13");
      return true;
    });
  });
});

describe("1 framing (RFC 6455 sections 5.1, 5.2)", () => {
  test("5.2: a text frame with a 7-bit length is answered by one unmasked FIN text frame, RSV 0", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.TEXT, PING_JSON);
    const f = await ws.next();
    assert.equal(f.opcode, Op.TEXT);
    assert.equal(f.fin, true);
    assert.equal(f.rsv, 0);
    assert.equal(f.masked, false, "5.1: a server must not mask");
    assert.deepEqual(JSON.parse(f.payload.toString()), { type: "pong" });
  });

  test("5.2: 16-bit (126) and 64-bit (127) length forms are read", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.TEXT, pingOfSize(126), { lengthForm: "16" });
    await expectPongJson(ws);
    await ws.sendFrame(Op.TEXT, pingOfSize(5000));
    await expectPongJson(ws);
    await ws.sendFrame(Op.TEXT, pingOfSize(300), { lengthForm: "64" });
    await expectPongJson(ws);
  });

  test("5.2 (Autobahn 1.1.x chopped): a frame written one byte per TCP segment is reassembled", async () => {
    const ws = await connect();
    await ws.send(frame(Op.TEXT, pingOfSize(130)), { chopMs: 1 });
    await expectPongJson(ws);
  });

  test("5.2: several frames in one TCP segment are answered in order", async () => {
    const ws = await connect();
    const leave = (id) => frame(Op.TEXT, JSON.stringify({ type: "conversation.leave", conversation_id: id }));
    await ws.send(Buffer.concat([leave("first"), leave("second"), leave("third")]));
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await ws.nextJson()).conversation_id);
    assert.deepEqual(ids, ["first", "second", "third"]);
  });

  test("5.1: an unmasked client frame fails the connection with 1002", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.TEXT, PING_JSON, { mask: false });
    await expectFailed(ws, 1002, "unmasked frame");
  });

  test("5.6: a binary message is refused with an `error` frame (the protocol is JSON text); the socket stays open", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.BINARY, Buffer.from([0, 1, 2, 255]));
    const error = await ws.nextJson();
    assert.equal(error.type, "error");
    assert.equal(error.code, "invalid_message");
    await ws.sendFrame(Op.TEXT, PING_JSON);
    await expectPongJson(ws);
  });
});

describe("2 pings and pongs (RFC 6455 sections 5.5.2, 5.5.3)", () => {
  test("5.5.2: a ping without payload is answered by an empty pong", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.PING);
    const f = await ws.next();
    assert.equal(f.opcode, Op.PONG);
    assert.equal(f.fin, true);
    assert.equal(f.payload.length, 0);
  });

  test("5.5.2: a pong carries the ping's 125-byte binary payload unchanged", async () => {
    const ws = await connect();
    const payload = Buffer.from(Array.from({ length: 125 }, (_, i) => (i * 37) & 0xff));
    await ws.sendFrame(Op.PING, payload);
    const f = await ws.next();
    assert.equal(f.opcode, Op.PONG);
    assert.ok(f.payload.equals(payload));
  });

  test("5.5: a ping with a 126-byte payload fails the connection with 1002", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.PING, Buffer.alloc(126, 0x61), { lengthForm: "16" });
    await expectFailed(ws, 1002, "control frame over 125 bytes");
  });

  test("5.5.3: an unsolicited pong is ignored", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.PONG, "unsolicited");
    await ws.sendFrame(Op.TEXT, PING_JSON);
    await expectPongJson(ws);
    assert.equal(ws.ofType(Op.CLOSE).length, 0);
  });

  test("5.5.2 + 5.5.3 (Autobahn 2.10): ten pings in one segment: pongs in order, the last ping answered", async () => {
    // 5.5.3 lets an endpoint answer only the most recent of pings it has not answered yet, so
    // the pongs are an in-order subsequence of the pings that ends with the last one.
    const ws = await connect();
    const payloads = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
    await ws.send(Buffer.concat(payloads.map((p) => frame(Op.PING, p))));
    const seen = [];
    while (seen.at(-1) !== payloads.at(-1)) {
      const f = await ws.next();
      assert.equal(f.opcode, Op.PONG);
      seen.push(f.payload.toString());
    }
    const indexes = seen.map((p) => payloads.indexOf(p));
    assert.ok(indexes.every((i, k) => i >= 0 && (k === 0 || i > indexes[k - 1])), `pongs ${seen.join(",")}`);
  });

  test("5.5.2 (Autobahn 2.6): a ping written one byte at a time is answered", async () => {
    const ws = await connect();
    await ws.send(frame(Op.PING, "chopped"), { chopMs: 1 });
    const f = await ws.next();
    assert.equal(f.opcode, Op.PONG);
    assert.equal(f.payload.toString(), "chopped");
  });

  test("5.4 + 5.5: a fragmented ping (FIN clear) fails the connection with 1002", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.PING, "frag", { fin: false });
    await expectFailed(ws, 1002, "fragmented control frame");
  });
});

describe("3 reserved bits (RFC 6455 section 5.2: RSV1-3 must be 0 without a negotiated extension)", () => {
  for (const [name, rsv] of [["RSV1", 0x40], ["RSV2", 0x20], ["RSV3", 0x10], ["RSV1-3", 0x70]]) {
    test(`5.2: ${name} set on a text frame fails the connection with 1002`, async () => {
      const ws = await connect();
      await ws.sendFrame(Op.TEXT, PING_JSON, { rsv });
      await expectFailed(ws, 1002, name);
    });
  }

  test("5.2 (Autobahn 3.2): a valid message, then one with RSV2, then a ping: answer, then 1002, no pong", async () => {
    const ws = await connect();
    await ws.send(Buffer.concat([frame(Op.TEXT, PING_JSON), frame(Op.TEXT, PING_JSON, { rsv: 0x20 }), frame(Op.PING, "late")]));
    await expectPongJson(ws);
    await expectFailed(ws, 1002, "RSV2 after a valid frame");
    assert.equal(ws.ofType(Op.PONG).length, 0, "nothing after the bad frame is processed");
  });

  test("5.2: RSV3 on a ping fails the connection with 1002", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.PING, "x", { rsv: 0x10 });
    await expectFailed(ws, 1002, "RSV3 on a control frame");
  });
});

describe("4 opcodes (RFC 6455 section 5.2: reserved opcodes fail the connection)", () => {
  for (const opcode of [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    const kind = opcode < 0x8 ? "non-control" : "control";
    test(`5.2: reserved ${kind} opcode 0x${opcode.toString(16)} after a valid message fails the connection with 1002`, async () => {
      const ws = await connect();
      await ws.send(Buffer.concat([frame(Op.TEXT, PING_JSON), frame(opcode, "x")]));
      await expectPongJson(ws);
      await expectFailed(ws, 1002, `opcode ${opcode}`);
    });
  }
});

describe("5 fragmentation (RFC 6455 section 5.4)", () => {
  test("5.4: a text message in two fragments is one message", async () => {
    const ws = await connect();
    await ws.send(Buffer.concat([frame(Op.TEXT, '{"type":', { fin: false }), frame(Op.CONT, '"ping"}')]));
    await expectPongJson(ws);
  });

  test("5.4 (Autobahn 5.6-ish): a message in one-byte fragments, each its own TCP segment", async () => {
    const ws = await connect();
    const bytes = Buffer.from(PING_JSON);
    for (let i = 0; i < bytes.length; i++) {
      const opcode = i === 0 ? Op.TEXT : Op.CONT;
      await ws.send(frame(opcode, bytes.subarray(i, i + 1), { fin: i === bytes.length - 1 }));
      await new Promise((r) => setTimeout(r, 1));
    }
    await expectPongJson(ws);
  });

  test("5.4 (Autobahn 5.7): a ping between fragments is answered at once, the message completes", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.TEXT, '{"type":', { fin: false });
    await ws.sendFrame(Op.PING, "between");
    const pong = await ws.next();
    assert.equal(pong.opcode, Op.PONG);
    assert.equal(pong.payload.toString(), "between");
    await ws.sendFrame(Op.CONT, '"ping"}');
    await expectPongJson(ws);
  });

  test("5.4: empty fragments are allowed", async () => {
    const ws = await connect();
    await ws.send(Buffer.concat([
      frame(Op.TEXT, "", { fin: false }),
      frame(Op.CONT, PING_JSON, { fin: false }),
      frame(Op.CONT, "", { fin: false }),
      frame(Op.CONT, ""),
    ]));
    await expectPongJson(ws);
  });

  test("5.4 (Autobahn 5.9): a continuation with no message started fails the connection with 1002", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.CONT, PING_JSON);
    await expectFailed(ws, 1002, "orphan continuation");
  });

  test("5.4 (Autobahn 5.18): a new text frame inside a fragmented message fails the connection with 1002", async () => {
    const ws = await connect();
    await ws.send(Buffer.concat([frame(Op.TEXT, '{"type":', { fin: false }), frame(Op.TEXT, PING_JSON)]));
    await expectFailed(ws, 1002, "nested message start");
  });

  test("5.4: a continuation after a finished message fails the connection with 1002", async () => {
    const ws = await connect();
    await ws.send(Buffer.concat([frame(Op.TEXT, PING_JSON), frame(Op.CONT, "more")]));
    await expectPongJson(ws);
    await expectFailed(ws, 1002, "continuation after FIN");
  });
});

describe("6 UTF-8 handling (RFC 6455 sections 5.6, 8.1)", () => {
  test("8.1: multi-byte UTF-8 (2, 3 and 4 bytes) is accepted and comes back byte for byte", async () => {
    const ws = await connect();
    const id = "κόσμε-€-😀";
    await ws.sendJson({ type: "conversation.leave", conversation_id: id });
    const error = await ws.nextJson();
    assert.equal(error.code, "not_joined");
    assert.equal(error.conversation_id, id);
  });

  test("8.1 (Autobahn 6.2/6.3): boundary code points U+07FF, U+0800, U+FFFF, U+10000, U+10FFFF are valid", async () => {
    const ws = await connect();
    const id = "\u07ff\u0800\uffff\u{10000}\u{10ffff}";
    await ws.sendJson({ type: "conversation.leave", conversation_id: id });
    const error = await ws.nextJson();
    assert.equal(error.conversation_id, id);
  });

  test("8.1 (Autobahn 6.2): U+007F and U+0080 are valid UTF-8: the frame reaches the JSON layer (not 1007)", async () => {
    // Both are control characters, which the protocol may refuse with an `error` frame.
    const ws = await connect();
    await ws.sendJson({ type: "ping", x: "\u007f\u0080" });
    const reply = await ws.nextJson();
    assert.ok(reply.type === "pong" || reply.type === "error", JSON.stringify(reply));
    assert.equal(ws.ofType(Op.CLOSE).length, 0);
  });

  test("5.6: a code point split across two fragments is valid (the message is validated whole)", async () => {
    const ws = await connect();
    const text = Buffer.from(JSON.stringify({ type: "conversation.leave", conversation_id: "κ😀" }));
    const cut = text.indexOf(Buffer.from("😀")) + 2; // inside the 4-byte sequence
    await ws.send(Buffer.concat([frame(Op.TEXT, text.subarray(0, cut), { fin: false }), frame(Op.CONT, text.subarray(cut))]));
    const error = await ws.nextJson();
    assert.equal(error.conversation_id, "κ😀");
  });

  const invalid = {
    "a lone continuation byte": [0x80],
    "an overlong encoding of '/'": [0xc0, 0xaf],
    "a UTF-16 surrogate (U+D800)": [0xed, 0xa0, 0x80],
    "a code point above U+10FFFF": [0xf4, 0x90, 0x80, 0x80],
    "a truncated sequence": [0xe2, 0x82],
    "the byte 0xFE": [0xfe],
  };
  for (const [name, bytes] of Object.entries(invalid)) {
    test(`8.1: a text message with ${name} fails the connection with 1007`, async () => {
      const ws = await connect();
      const payload = Buffer.concat([Buffer.from('{"type":"ping","x":"'), Buffer.from(bytes), Buffer.from('"}')]);
      await ws.sendFrame(Op.TEXT, payload);
      await expectFailed(ws, 1007, name);
      assert.equal(ws.ofType(Op.TEXT).length, 0, "the message is not processed");
    });
  }

  test("8.1 (Autobahn 6.4.x): invalid UTF-8 in the last fragment fails the connection with 1007", async () => {
    const ws = await connect();
    await ws.send(Buffer.concat([frame(Op.TEXT, '{"type":"ping","x":"', { fin: false }), frame(Op.CONT, Buffer.from([0xed, 0xa0, 0x80, 0x22, 0x7d]))]));
    await expectFailed(ws, 1007, "invalid fragment");
  });
});

describe("7 close handling (RFC 6455 sections 5.5.1, 7.1, 7.4)", () => {
  test("5.5.1 (Autobahn 7.3.1): a close without a payload is answered by a close (no code or 1000), then the server closes TCP", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.CLOSE);
    const close = await ws.closeFrame();
    assert.ok(close.code === undefined || close.code === 1000, `code ${close.code}`);
    await ws.tcpClose();
  });

  test("5.5.1 + 7.1.1: a close 1000 with a reason is echoed with 1000 and the server closes TCP first", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.CLOSE, closePayload(1000, "bye"));
    const close = await ws.closeFrame();
    assert.equal(close.code, 1000);
    assert.equal(close.frame.masked, false);
    await ws.tcpClose(); // the client never ends its side: the server must close the connection
  });

  test("5.5.1 (Autobahn 7.3.5): a close reason of the maximum 123 bytes is accepted", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.CLOSE, closePayload(1000, "r".repeat(123)));
    assert.equal((await ws.closeFrame()).code, 1000);
    await ws.tcpClose();
  });

  test("5.5.1 (Autobahn 7.1.x): after the client's close, data and pings are not answered", async () => {
    const ws = await connect();
    await ws.send(Buffer.concat([frame(Op.CLOSE, closePayload(1000)), frame(Op.TEXT, PING_JSON), frame(Op.PING, "late")]));
    await ws.closeFrame();
    await ws.tcpClose();
    assert.equal(ws.ofType(Op.TEXT).length, 0, "no data after close");
    assert.equal(ws.ofType(Op.PONG).length, 0, "no pong after close");
  });

  test("5.5.1 (Autobahn 7.1.2): a second close from the client is ignored", async () => {
    const ws = await connect();
    await ws.send(Buffer.concat([frame(Op.CLOSE, closePayload(1000)), frame(Op.CLOSE, closePayload(1001))]));
    assert.equal((await ws.closeFrame()).code, 1000);
    await ws.tcpClose();
    assert.equal(ws.ofType(Op.CLOSE).length, 1);
  });

  test("5.4 + 5.5.1 (Autobahn 7.1.5): a close in the middle of a fragmented message ends it; the continuation is ignored", async () => {
    const ws = await connect();
    await ws.send(Buffer.concat([frame(Op.TEXT, '{"type":', { fin: false }), frame(Op.CLOSE, closePayload(1000)), frame(Op.CONT, '"ping"}')]));
    assert.equal((await ws.closeFrame()).code, 1000);
    await ws.tcpClose();
    assert.equal(ws.ofType(Op.TEXT).length, 0);
  });

  // Autobahn 7.7.x: a valid code is echoed (or answered with 1000).
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]) {
    test(`7.4.1/7.4.2: close code ${code} is valid and answered with ${code} or 1000`, async () => {
      const ws = await connect();
      await ws.sendFrame(Op.CLOSE, closePayload(code));
      const close = await ws.closeFrame();
      assert.ok(close.code === code || close.code === 1000, `answered ${close.code}`);
      await ws.tcpClose();
    });
  }

  // Autobahn 7.9.x / 7.13.x: codes that must not appear on the wire (1005, 1006 are reserved for
  // APIs, section 7.4.1), unassigned codes of the protocol range, and codes outside 1000-4999.
  for (const code of [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535]) {
    test(`7.4.1/7.4.2: close code ${code} is invalid and fails the connection with 1002`, async () => {
      const ws = await connect();
      await ws.sendFrame(Op.CLOSE, closePayload(code));
      await expectFailed(ws, 1002, `close code ${code}`);
    });
  }

  test("5.5.1 (Autobahn 7.3.2): a 1-byte close payload fails the connection with 1002", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.CLOSE, Buffer.from([0x03]));
    await expectFailed(ws, 1002, "1-byte close payload");
  });

  test("5.5.1 + 8.1 (Autobahn 7.5.1): a close reason that is not UTF-8 fails the connection with 1007", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.CLOSE, closePayload(1000, Buffer.from([0x62, 0xff, 0xfe])));
    await expectFailed(ws, 1007, "invalid UTF-8 close reason");
  });

  test("5.5 (Autobahn 7.3.6): a close payload over 125 bytes fails the connection with 1002", async () => {
    const ws = await connect();
    await ws.sendFrame(Op.CLOSE, closePayload(1000, "r".repeat(124)), { lengthForm: "16" });
    await expectFailed(ws, 1002, "126-byte close payload");
  });
});

describe("9 limits and big messages (RFC 6455 sections 7.4.1 code 1009, 10.4)", () => {
  test(`10.4: a message of exactly ${MAX_MESSAGE} bytes (WS_MAX_FRAME_BYTES) is accepted`, async () => {
    const ws = await connect();
    await ws.sendFrame(Op.TEXT, pingOfSize(MAX_MESSAGE));
    await expectPongJson(ws);
  });

  test("10.4: a frame one byte over the limit is refused with 1009 at its header, before the payload", async () => {
    const ws = await connect();
    const whole = frame(Op.TEXT, pingOfSize(MAX_MESSAGE + 1));
    await ws.send(whole.subarray(0, 8)); // the 4-byte header and the mask only
    await expectFailed(ws, 1009, "oversized frame");
  });

  test("10.4: a fragmented message over the limit in total is refused with 1009", async () => {
    const ws = await connect();
    const piece = Math.ceil((MAX_MESSAGE + 1) / 4);
    const fragments = [0, 1, 2, 3].map((i) => frame(i === 0 ? Op.TEXT : Op.CONT, " ".repeat(piece), { fin: i === 3 }));
    await ws.send(Buffer.concat(fragments));
    await expectFailed(ws, 1009, "oversized fragmented message");
  });

  test("10.4: a 64-bit length of 2^62 is refused with 1009 without waiting for the payload", async () => {
    const ws = await connect();
    await ws.send(frame(Op.TEXT, "", { length: 2n ** 62n }));
    await expectFailed(ws, 1009, "2^62 length");
  });

  test("5.2: a 64-bit length with the most significant bit set is refused (1002 or 1009)", async () => {
    const ws = await connect();
    await ws.send(frame(Op.TEXT, "", { length: 2n ** 63n + 5n }));
    await expectFailed(ws, [1002, 1009], "MSB set in the 64-bit length");
  });

  test("after all of the above the gateway is healthy and serves a new socket", async () => {
    const health = await http(A, "GET", "/healthz");
    assert.equal(health.status, 200);
    const ws = await connect();
    await ws.sendFrame(Op.TEXT, PING_JSON);
    await expectPongJson(ws);
  });
});

describe("interop with an independent client implementation (npm `ws`)", () => {
  /** A `ws` client that records JSON frames. */
  function wsClient(base, token) {
    const socket = new WebSocket(base.replace("http", "ws") + "/ws?token=" + encodeURIComponent(token));
    const client = { socket, frames: [], waiters: [] };
    socket.on("message", (data, isBinary) => {
      assert.equal(isBinary, false);
      client.frames.push(JSON.parse(data.toString("utf8")));
      client.waiters = client.waiters.filter((w) => !w());
    });
    client.opened = new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    socket.on("error", (e) => {
      client.error = e; // e.g. a reset after the gateway closed; the close event still follows
    });
    client.closed = new Promise((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    client.waitFor = (predicate, what, ms = 15000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = client.frames.find(predicate);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
          return Boolean(found);
        };
        const timer = setTimeout(() => reject(new Error(`ws client: timed out waiting for ${what}: ${JSON.stringify(client.frames).slice(0, 1500)}`)), ms);
        if (!check()) client.waiters.push(check);
      });
    return client;
  }

  test("visitor on replica A and operator on replica B: join, send, ack, live message both sides, ping/pong, clean close", async () => {
    const visitor = wsClient(A, state.token);
    const operator = wsClient(B, state.userToken);
    await Promise.all([visitor.opened, operator.opened]);
    const cid = state.conversationId;
    for (const c of [visitor, operator]) c.socket.send(JSON.stringify({ type: "conversation.join", conversation_id: cid, since_seq: 0 }));
    await visitor.waitFor((f) => f.type === "conversation.joined", "visitor joined");
    await operator.waitFor((f) => f.type === "conversation.joined", "operator joined");

    const text = "Interop: héllo from the ws package 👋";
    visitor.socket.send(JSON.stringify({ type: "message.send", conversation_id: cid, client_id: "interop-1", text }));
    const ack = await visitor.waitFor((f) => f.type === "message.ack" && f.client_id === "interop-1", "ack");
    const own = await visitor.waitFor((f) => f.type === "message.new" && f.seq === ack.seq, "own message live");
    assert.equal(own.message.text, text);
    const seen = await operator.waitFor((f) => f.type === "message.new" && f.seq === ack.seq, "the message on replica B");
    assert.equal(seen.message.text, text);
    assert.equal(seen.message.sender.kind, "visitor");
    await visitor.waitFor((f) => f.type === "message.new" && f.message.sender.kind === "bot" && f.seq > ack.seq, "the bot's reply");

    // RFC 6455 control frames through the library: ping with payload, pong echoes it (5.5.2).
    const pong = new Promise((resolve) => visitor.socket.once("pong", (data) => resolve(data.toString())));
    visitor.socket.ping("interop-ping");
    assert.equal(await pong, "interop-ping");

    // Clean close initiated by the client (7.1.2): the library sees the gateway's close 1000.
    visitor.socket.close(1000, "done");
    operator.socket.close(1000, "done");
    const [vc, oc] = await Promise.all([visitor.closed, operator.closed]);
    assert.equal(vc.code, 1000);
    assert.equal(oc.code, 1000);
  });

  test("the `ws` client sees a protocol violation as close 1009 for an oversized message", async () => {
    const client = wsClient(A, state.token);
    await client.opened;
    client.socket.send(pingOfSize(MAX_MESSAGE + 1));
    const closed = await client.closed;
    assert.equal(closed.code, 1009);
  });
});
