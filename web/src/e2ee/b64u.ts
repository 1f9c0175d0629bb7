// base64url without padding (RFC 4648 §5), the encoding of every key, iv and ciphertext in the
// E2EE contract (docs/e2ee.md): alphabet [A-Za-z0-9_-].

import type { Bytes } from "./bytes.js";
/** `bytes` as base64url without padding. */
export function toB64u(bytes: Bytes): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of base64url text `text`; throws Error("bad base64url") for anything else. */
export function fromB64u(text: string): Bytes {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error("bad base64url");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** `count` random bytes (WebCrypto getRandomValues). */
export function randomBytes(count: number): Bytes {
  return crypto.getRandomValues(new Uint8Array(count));
}

/** A random 22-character id (16 random bytes): device ids and key ids of the contract. */
export function randomId(): string {
  return toB64u(randomBytes(16));
}
