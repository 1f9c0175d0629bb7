// Wrapping a room key for one device (docs/e2ee.md "Wrap scheme"; the server never checks it):
// an ephemeral ECDH P-256 key pair, shared = ECDH(eph_priv, recipient_pub), an AES-GCM-256 key
// from HKDF-SHA256(shared, salt = 32 zero bytes, info = "botfactory-e2ee-v1 wrap <room> <epoch>"),
// wrapped_key = b64u(eph_pub, 65 bytes) "." b64u(iv, 12 bytes) "." b64u(AES-GCM(room key, aad = key_id)).
// WebCrypto only (NIST SP 800-56A ECDH, RFC 5869 HKDF, SP 800-38D GCM).

import type { Bytes } from "./bytes.js";
import { fromB64u, randomBytes, toB64u } from "./b64u.js";

const curve = { name: "ECDH", namedCurve: "P-256" } as const;
const encoder = new TextEncoder();

/** The recipient's public key from b64u of its 65-byte uncompressed point; throws on a bad point. */
export function importPublicKey(b64u: string): Promise<CryptoKey> {
  const raw = fromB64u(b64u);
  if (raw.length !== 65 || raw[0] !== 4) throw new Error("bad public key");
  return crypto.subtle.importKey("raw", raw, curve, true, []);
}

/** b64u of `key`'s 65-byte uncompressed point. */
export async function exportPublicKey(key: CryptoKey): Promise<string> {
  return toB64u(new Uint8Array(await crypto.subtle.exportKey("raw", key)));
}

/** The AES-GCM key both sides derive from an ECDH pair for (room, epoch). */
async function wrapKey(priv: CryptoKey, pub: CryptoKey, roomId: string, epoch: number): Promise<CryptoKey> {
  const shared = await crypto.subtle.deriveBits({ name: "ECDH", public: pub }, priv, 256);
  const hkdf = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: encoder.encode(`botfactory-e2ee-v1 wrap ${roomId} ${epoch}`) },
    hkdf, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/**
 * Wraps the 32-byte room key `roomKey` (epoch `epoch`, id `keyId`) of room `roomId` for the
 * device whose public key is `recipientPublic` (b64u, 65-byte point). Returns the
 * `wrapped_key` text (about 190 chars).
 */
export async function wrapRoomKey(roomKey: Bytes, recipientPublic: string, roomId: string, epoch: number,
                                  keyId: string): Promise<string> {
  const recipient = await importPublicKey(recipientPublic);
  const eph = await crypto.subtle.generateKey(curve, false, ["deriveBits"]) as CryptoKeyPair;
  const aes = await wrapKey(eph.privateKey, recipient, roomId, epoch);
  const iv = randomBytes(12);
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(keyId) }, aes, roomKey);
  return `${await exportPublicKey(eph.publicKey)}.${toB64u(iv)}.${toB64u(new Uint8Array(sealed))}`;
}

/**
 * Unwraps `wrapped` (a `wrapped_key` for this device) with the device's private key; returns
 * the 32-byte room key. Throws when it was not made for this key, room, epoch and key id
 * (AES-GCM authentication fails) or is malformed.
 */
export async function unwrapRoomKey(wrapped: string, devicePrivate: CryptoKey, roomId: string, epoch: number,
                                    keyId: string): Promise<Bytes> {
  const parts = wrapped.split(".");
  if (parts.length !== 3) throw new Error("bad wrapped key");
  const eph = await importPublicKey(parts[0]!);
  const aes = await wrapKey(devicePrivate, eph, roomId, epoch);
  const raw = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromB64u(parts[1]!), additionalData: encoder.encode(keyId) }, aes, fromB64u(parts[2]!));
  if (raw.byteLength !== 32) throw new Error("bad room key length");
  return new Uint8Array(raw);
}
