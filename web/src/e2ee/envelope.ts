// Message envelopes of encrypted rooms (docs/e2ee.md "Messages"): the text stored and fanned out
// is `e2ee.v1.<epoch>.<key_id>.<iv b64u, 16 chars>.<ciphertext b64u, 22..24000 chars>`, the
// AES-GCM-256 encryption (room key of `epoch`, aad = room_id ":" epoch) of UTF-8 JSON
// `{"text": "...", "attachment"?: {"id"?, "name", "type", "size"}}`.

import type { Bytes } from "./bytes.js";
import { fromB64u, randomBytes, toB64u } from "./b64u.js";

/** The file a message carries, as its sender described it (inside the ciphertext). */
export interface SealedAttachment { id?: string; name: string; type: string; size: number }
/** What an envelope holds. */
export interface Plaintext { text: string; attachment?: SealedAttachment }
/** The parts of an envelope. */
export interface Envelope { epoch: number; keyId: string; iv: string; ciphertext: string }

/** Longest ciphertext part of the grammar (b64u chars). */
export const maxCiphertextChars = 24000;
const grammar = /^e2ee\.v1\.([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,24000})$/;
const encoder = new TextEncoder();

/** The parts of `text` when it is an envelope by the grammar, else null. */
export function parseEnvelope(text: string): Envelope | null {
  const m = grammar.exec(text);
  if (!m) return null;
  return { epoch: Number(m[1]), keyId: m[2]!, iv: m[3]!, ciphertext: m[4]! };
}

/** The AES-GCM key of a raw 32-byte room key (not extractable). */
export function importRoomKey(raw: Bytes): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

/**
 * Encrypts `plain` with `key` (the room key of `epoch`, id `keyId`) for room `roomId`; returns
 * the envelope text. Throws RangeError("too_long") when the ciphertext would exceed the grammar.
 */
export async function seal(key: CryptoKey, roomId: string, epoch: number, keyId: string, plain: Plaintext): Promise<string> {
  const iv = randomBytes(12);
  const data = encoder.encode(JSON.stringify(plain));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(`${roomId}:${epoch}`) }, key, data);
  const ciphertext = toB64u(new Uint8Array(sealed));
  if (ciphertext.length > maxCiphertextChars) throw new RangeError("too_long");
  return `e2ee.v1.${epoch}.${keyId}.${toB64u(iv)}.${ciphertext}`;
}

/**
 * Decrypts envelope `envelope` of room `roomId` with `key` (the room key of its epoch). Throws
 * when it was altered, sealed for another room or epoch, or holds no `{"text": string}` JSON.
 */
export async function open(key: CryptoKey, roomId: string, envelope: Envelope): Promise<Plaintext> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromB64u(envelope.iv), additionalData: encoder.encode(`${roomId}:${envelope.epoch}`) },
    key, fromB64u(envelope.ciphertext));
  const value = JSON.parse(new TextDecoder().decode(plain)) as Plaintext;
  if (typeof value?.text !== "string") throw new Error("bad plaintext");
  const a = value.attachment;
  if (a !== undefined && (typeof a !== "object" || typeof a.name !== "string" || typeof a.type !== "string")) {
    throw new Error("bad attachment");
  }
  return value;
}
