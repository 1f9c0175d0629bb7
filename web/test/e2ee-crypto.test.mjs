// Unit tests of the chat page's E2EE crypto (web/src/e2ee: b64u, wrap, envelope, file-crypto)
// in Node ≥ 18 with its WebCrypto (node:crypto webcrypto). The TypeScript is transpiled on the
// fly (load-e2ee.mjs, no build needed). The wrap scheme and the envelope are
// also checked against an independent implementation of docs/e2ee.md with node:crypto's own
// ECDH / HKDF / AES-GCM, so both sides follow the written contract, not just each other.
import assert from "node:assert/strict";
import nodeCrypto from "node:crypto";
import { test } from "node:test";
import { load } from "./load-e2ee.mjs";

const { toB64u, fromB64u, randomId } = await load("b64u");
const { wrapRoomKey, unwrapRoomKey } = await load("wrap");
const { seal, open, parseEnvelope, importRoomKey } = await load("envelope");
const { encryptFile, decryptFile } = await load("file-crypto");

const b64u = (buf) => Buffer.from(buf).toString("base64url");
const roomId = "0b8f2a64-7d7e-4c57-a0f6-3c1a9e8f0d11";

async function deviceKeys() {
  const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const pub = b64u(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { pair, pub };
}

test("base64url: round trip, no padding, strict alphabet", () => {
  for (const len of [0, 1, 2, 3, 31, 32, 65]) {
    const bytes = crypto.getRandomValues(new Uint8Array(len));
    const text = toB64u(bytes);
    assert.match(text, /^[A-Za-z0-9_-]*$/);
    assert.equal(text, b64u(bytes));
    assert.deepEqual([...fromB64u(text)], [...bytes]);
  }
  assert.throws(() => fromB64u("ab+c"));
  assert.throws(() => fromB64u("abc="));
  assert.throws(() => fromB64u("a"));
  assert.match(randomId(), /^[A-Za-z0-9_-]{22}$/);
});

test("wrap: the device it was made for unwraps it; another device, room, epoch or key id does not", async () => {
  const me = await deviceKeys();
  const other = await deviceKeys();
  const roomKey = crypto.getRandomValues(new Uint8Array(32));
  const keyId = randomId();
  const wrapped = await wrapRoomKey(roomKey, me.pub, roomId, 3, keyId);
  const [eph, iv, body] = wrapped.split(".");
  assert.equal(fromB64u(eph).length, 65);
  assert.equal(iv.length, 16);
  assert.equal(fromB64u(body).length, 32 + 16);
  assert.ok(wrapped.length <= 1024);
  assert.deepEqual([...await unwrapRoomKey(wrapped, me.pair.privateKey, roomId, 3, keyId)], [...roomKey]);
  await assert.rejects(unwrapRoomKey(wrapped, other.pair.privateKey, roomId, 3, keyId));
  await assert.rejects(unwrapRoomKey(wrapped, me.pair.privateKey, "another-room", 3, keyId));
  await assert.rejects(unwrapRoomKey(wrapped, me.pair.privateKey, roomId, 4, keyId));
  await assert.rejects(unwrapRoomKey(wrapped, me.pair.privateKey, roomId, 3, randomId()));
  const flipped = `${eph}.${iv}.${body.slice(0, -2)}${body.endsWith("AA") ? "BA" : "AA"}`;
  await assert.rejects(unwrapRoomKey(flipped, me.pair.privateKey, roomId, 3, keyId));
  await assert.rejects(wrapRoomKey(roomKey, "AAAA", roomId, 3, keyId));
});

test("wrap: interoperates with the contract implemented independently on node:crypto", async () => {
  // Recipient = node:crypto ECDH; the browser code wraps, node unwraps by the written scheme.
  const recipient = nodeCrypto.createECDH("prime256v1");
  recipient.generateKeys();
  const roomKey = crypto.getRandomValues(new Uint8Array(32));
  const keyId = randomId();
  const wrapped = await wrapRoomKey(roomKey, b64u(recipient.getPublicKey()), roomId, 1, keyId);
  const [eph, iv, body] = wrapped.split(".").map((p) => Buffer.from(p, "base64url"));
  const shared = recipient.computeSecret(eph);
  const aes = Buffer.from(nodeCrypto.hkdfSync("sha256", shared, Buffer.alloc(32), `botfactory-e2ee-v1 wrap ${roomId} 1`, 32));
  const decipher = nodeCrypto.createDecipheriv("aes-256-gcm", aes, iv);
  decipher.setAAD(Buffer.from(keyId));
  decipher.setAuthTag(body.subarray(body.length - 16));
  const plain = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
  assert.deepEqual([...plain], [...roomKey]);

  // And the other way: node wraps by the scheme, the browser code unwraps.
  const me = await deviceKeys();
  const ephemeral = nodeCrypto.createECDH("prime256v1");
  ephemeral.generateKeys();
  const secret = ephemeral.computeSecret(Buffer.from(me.pub, "base64url"));
  const key2 = Buffer.from(nodeCrypto.hkdfSync("sha256", secret, Buffer.alloc(32), `botfactory-e2ee-v1 wrap ${roomId} 2`, 32));
  const iv2 = nodeCrypto.randomBytes(12);
  const cipher = nodeCrypto.createCipheriv("aes-256-gcm", key2, iv2);
  cipher.setAAD(Buffer.from(keyId));
  const sealed = Buffer.concat([cipher.update(roomKey), cipher.final(), cipher.getAuthTag()]);
  const text = `${b64u(ephemeral.getPublicKey())}.${b64u(iv2)}.${b64u(sealed)}`;
  assert.deepEqual([...await unwrapRoomKey(text, me.pair.privateKey, roomId, 2, keyId)], [...roomKey]);
});

test("envelope: grammar, round trip with attachment, aad binds room and epoch, tampering fails", async () => {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const key = await importRoomKey(raw);
  const keyId = randomId();
  const plain = { text: "Встреча в 10:00 — olma 🍎", attachment: { name: "cat.png", type: "image/png", size: 1234 } };
  const text = await seal(key, roomId, 2, keyId, plain);
  assert.match(text, /^e2ee\.v1\.2\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,24000}$/);
  assert.ok(!text.includes("olma"));
  const parts = parseEnvelope(text);
  assert.deepEqual({ epoch: parts.epoch, keyId: parts.keyId }, { epoch: 2, keyId });
  assert.deepEqual(await open(key, roomId, parts), plain);
  await assert.rejects(open(key, "another-room", parts));
  await assert.rejects(open(key, roomId, { ...parts, epoch: 3 }));
  await assert.rejects(open(await importRoomKey(crypto.getRandomValues(new Uint8Array(32))), roomId, parts));
  const c = parts.ciphertext;
  await assert.rejects(open(key, roomId, { ...parts, ciphertext: (c[0] === "A" ? "B" : "A") + c.slice(1) }));
  // Independent decryption by the contract (AES-GCM, aad = room_id ":" epoch).
  const body = Buffer.from(parts.ciphertext, "base64url");
  const d = nodeCrypto.createDecipheriv("aes-256-gcm", Buffer.from(raw), Buffer.from(parts.iv, "base64url"));
  d.setAAD(Buffer.from(`${roomId}:2`));
  d.setAuthTag(body.subarray(body.length - 16));
  assert.deepEqual(JSON.parse(Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]).toString()), plain);
  // Not envelopes.
  for (const bad of ["hello", "e2ee.v1.0.x.y.z", `e2ee.v1.2.${keyId}.short.${"A".repeat(30)}`, `e2ee.v2.2.${keyId}.${"A".repeat(16)}.${"A".repeat(30)}`,
                     `e2ee.v1.2.${keyId}.${"A".repeat(16)}.${"A".repeat(21)}`, `e2ee.v1.2.${keyId}.${"A".repeat(16)}.${"A".repeat(24001)}`]) {
    assert.equal(parseEnvelope(bad), null, bad);
  }
  // A text near the 4000-character limit still fits the grammar.
  const long = await seal(key, roomId, 1, keyId, { text: "ж".repeat(4000) });
  assert.ok(parseEnvelope(long));
});

test("file: iv || ciphertext, round trip, tampering and another key fail", async () => {
  const key = await importRoomKey(crypto.getRandomValues(new Uint8Array(32)));
  const bytes = crypto.getRandomValues(new Uint8Array(5000));
  const stored = await encryptFile(key, bytes);
  assert.equal(stored.length, 12 + 5000 + 16);
  assert.deepEqual([...await decryptFile(key, stored)], [...bytes]);
  const tampered = stored.slice();
  tampered[100] ^= 1;
  await assert.rejects(decryptFile(key, tampered));
  await assert.rejects(decryptFile(await importRoomKey(crypto.getRandomValues(new Uint8Array(32))), stored));
  await assert.rejects(decryptFile(key, stored.subarray(0, 20)));
});
