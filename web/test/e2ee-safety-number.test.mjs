// Unit tests of member verification in encrypted rooms (web/src/e2ee: safety-number.ts,
// verification.ts; docs/e2ee.md "Verifying members") in Node ≥ 18 with its WebCrypto. The safety
// number is checked against libsignal's published test vector of NumericFingerprintGenerator and
// against an independent node:crypto implementation of the written scheme (below), so the page
// follows Signal's scheme, not just itself.
import assert from "node:assert/strict";
import nodeCrypto from "node:crypto";
import { test } from "node:test";
import { load } from "./load-e2ee.mjs";

const { numericFingerprint, userFingerprint, displayHalf, safetyNumber, combineHalves, digitGroups, fingerprintIterations } =
  await load("safety-number");
const { memberKeys, trustOf, sharePolicy } = await load("verification");

/** An independent implementation with node:crypto (docs/e2ee.md "Verifying members"). */
function referenceHalf(userId, publicKeysB64u) {
  const keys = Buffer.concat(publicKeysB64u.map((k) => Buffer.from(k, "base64url")).sort(Buffer.compare));
  let hash = Buffer.concat([Buffer.from([0, 0]), keys, Buffer.from(userId, "utf8")]);
  for (let i = 0; i < 5200; i++) hash = nodeCrypto.createHash("sha512").update(hash).update(keys).digest();
  let half = "";
  for (let offset = 0; offset < 30; offset += 5) half += String(Number(hash.readUIntBE(offset, 5) % 100000)).padStart(5, "0");
  return half;
}
const referenceNumber = (a, b) => {
  const [x, y] = [referenceHalf(a.userId, a.publicKeys), referenceHalf(b.userId, b.publicKeys)];
  return x <= y ? x + y : y + x;
};

/** A fresh P-256 public key as the server lists it (b64u of the 65-byte point). */
function deviceKey() {
  const ecdh = nodeCrypto.createECDH("prime256v1");
  ecdh.generateKeys();
  return ecdh.getPublicKey().toString("base64url");
}

test("libsignal's published vector: one Curve25519 identity key per user, phone numbers as stable ids", async () => {
  // libsignal's fingerprint test (NumericFingerprintGeneratorTest / rust/protocol/src/fingerprint.rs):
  // 5200 iterations, Alice +14152222222, Bob +14153333333.
  const alice = Buffer.from("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868", "hex");
  const bob = Buffer.from("05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b", "hex");
  assert.equal(fingerprintIterations, 5200);
  const fa = await numericFingerprint("+14152222222", [new Uint8Array(alice)]);
  const fb = await numericFingerprint("+14153333333", [new Uint8Array(bob)]);
  assert.equal(fa.length, 64);
  // The scannable fingerprint's first 32 bytes of Alice's fingerprint (libsignal's ALICE_SCANNABLE_FINGERPRINT_V1).
  assert.equal(Buffer.from(fa.subarray(0, 32)).toString("hex"), "1e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df");
  assert.equal(combineHalves(displayHalf(fa), displayHalf(fb)), "300354477692869396892869876765458257569162576843440918079131");
  assert.equal(combineHalves(displayHalf(fb), displayHalf(fa)), "300354477692869396892869876765458257569162576843440918079131");
});

test("safety number: equals the independent node:crypto implementation, the same in both orders, 12 groups of 5 digits", async () => {
  const alice = { userId: "7f0c6a1e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", publicKeys: [deviceKey(), deviceKey()] };
  const bob = { userId: "a3b4c5d6-e7f8-4a1b-8c2d-3e4f5a6b7c8d", publicKeys: [deviceKey()] };
  const ab = await safetyNumber(alice, bob);
  assert.match(ab, /^\d{60}$/);
  assert.equal(await safetyNumber(bob, alice), ab);
  assert.equal(ab, referenceNumber(alice, bob));
  assert.deepEqual(digitGroups(ab), ab.match(/.{5}/g));
  assert.equal(digitGroups(ab).length, 12);
  // The order the server lists a user's devices in does not matter (keys are sorted).
  assert.equal(await safetyNumber({ ...alice, publicKeys: [...alice.publicKeys].reverse() }, bob), ab);
  // Each user's fingerprint covers its own id: the same keys under another user id differ.
  assert.notEqual(await safetyNumber({ ...alice, userId: "someone-else" }, bob), ab);
});

test("safety number: a new, removed or changed device changes it", async () => {
  const alice = { userId: "u-alice", publicKeys: [deviceKey()] };
  const bob = { userId: "u-bob", publicKeys: [deviceKey(), deviceKey()] };
  const before = await safetyNumber(alice, bob);
  const added = { ...bob, publicKeys: [...bob.publicKeys, deviceKey()] };
  const removed = { ...bob, publicKeys: bob.publicKeys.slice(1) };
  const changed = { ...bob, publicKeys: [bob.publicKeys[0], deviceKey()] };
  for (const other of [added, removed, changed]) {
    const after = await safetyNumber(alice, other);
    assert.notEqual(after, before);
    assert.equal(after, referenceNumber(alice, other));
  }
  // Only the changed user's half moves: Alice's 30 digits stay in the number.
  const aliceHalf = displayHalf(await userFingerprint(alice));
  assert.ok(before.includes(aliceHalf) && (await safetyNumber(alice, added)).includes(aliceHalf));
  await assert.rejects(userFingerprint({ userId: "u-none", publicKeys: [] }), /no devices/);
  await assert.rejects(userFingerprint({ userId: "u-bad", publicKeys: ["AAAA"] }), /bad public key/);
});

test("verification: trust and the devices a room key may be wrapped for", () => {
  const [a1, b1, b2, c1, c2] = [deviceKey(), deviceKey(), deviceKey(), deviceKey(), deviceKey()];
  const device = (user, key, has = false) => ({ user_id: user, device_id: `${user}-${key.slice(0, 6)}`, public_key: key, has_key: has });
  const devices = [device("me", a1), device("bob", b1, true), device("bob", b2), device("carol", c1), device("carol", c2)];
  const record = (userId, publicKeys) => ({ owner: "me", userId, fingerprint: "0".repeat(30), publicKeys, verifiedAt: "2026-11-30T12:00:00Z" });
  assert.deepEqual(memberKeys(devices, "bob"), [b1, b2].sort());
  assert.equal(trustOf(memberKeys(devices, "bob"), undefined), "unverified");
  assert.equal(trustOf(memberKeys(devices, "bob"), record("bob", [b2, b1])), "verified");
  assert.equal(trustOf(memberKeys(devices, "bob"), record("bob", [b1])), "changed");
  assert.equal(trustOf(memberKeys(devices, "bob"), record("bob", [b1, b2, deviceKey()])), "changed");

  // Nobody verified: every device (today's behaviour).
  assert.deepEqual(sharePolicy(devices, "me", new Map()), { allowed: devices, changed: [] });
  // Bob verified with both devices, Carol with c1 only (c2 appeared since): c2 is withheld.
  const records = new Map([["bob", record("bob", [b1, b2])], ["carol", record("carol", [c1])]]);
  const policy = sharePolicy(devices, "me", records);
  assert.deepEqual(policy.changed, ["carol"]);
  assert.deepEqual(policy.allowed.map((d) => d.public_key), [a1, b1, b2, c1]);
  // A record of oneself never withholds one's own devices.
  assert.equal(sharePolicy(devices, "me", new Map([["me", record("me", [])]])).allowed.length, devices.length);
});
