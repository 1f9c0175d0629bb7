// File bytes of encrypted rooms (docs/e2ee.md "Files"): AES-GCM-256 with the room key and a
// fresh 12-byte iv, stored as iv || ciphertext (with its 16-byte tag), uploaded as `encrypted.bin`.

import type { Bytes } from "./bytes.js";
import { randomBytes } from "./b64u.js";

/** `bytes` encrypted with room key `key`: iv(12) || AES-GCM ciphertext. */
export async function encryptFile(key: CryptoKey, bytes: ArrayBuffer | Bytes): Promise<Bytes> {
  const iv = randomBytes(12);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, bytes));
  const out = new Uint8Array(12 + sealed.length);
  out.set(iv, 0);
  out.set(sealed, 12);
  return out;
}

/** The plaintext of `stored` (iv || ciphertext); throws when it is short, altered or of another key. */
export async function decryptFile(key: CryptoKey, stored: ArrayBuffer | Bytes): Promise<Bytes> {
  const bytes = stored instanceof Uint8Array ? stored : new Uint8Array(stored);
  if (bytes.length < 12 + 16) throw new Error("encrypted file too short");
  return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.subarray(0, 12) }, key, bytes.subarray(12)));
}
