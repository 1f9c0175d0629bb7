// Safety numbers of encrypted rooms (docs/e2ee.md "Verifying members"): what two members compare
// out of band (read aloud, side by side) to find out whether the server listed their devices
// honestly. WebCrypto only (SHA-512, FIPS 180-4).
//
// The scheme is Signal's numeric fingerprint ("safety number"), as libsignal's
// NumericFingerprintGenerator computes it (libsignal-protocol-java
// org.whispersystems.libsignal.fingerprint.NumericFingerprintGenerator and DisplayableFingerprint,
// now rust/protocol/src/fingerprint.rs in github.com/signalapp/libsignal):
//   fingerprint(id, keys) = H^n(version ‖ keys ‖ id), where H^0 = version ‖ keys ‖ id and
//   H^(i+1) = SHA-512(H^i ‖ keys), n = 5200 iterations, version = 0 as 2 bytes big-endian,
//   keys = the identity keys sorted (unsigned bytes) and concatenated, id = the stable user id;
//   a party's half = 6 chunks of 5 digits: bytes [5k, 5k+5) of the fingerprint as a big-endian
//   40-bit number mod 100000, zero-padded (30 digits);
//   the safety number = the two halves concatenated, the smaller (as a string) first, so both
//   parties see the same 60 digits.
//
// Our multi-device adaptation: a Signal user has one identity key shared by its devices; here
// every browser device has its own ECDH P-256 key (device-keystore.ts), so a user's "identity" is
// the set of ALL its device public keys as the server lists them (65-byte uncompressed points,
// sorted bytewise, each once in the list per device), and the stable id is the user id in UTF-8.
// A new, removed or changed device therefore changes that user's half, and so every safety number
// with that user — the same as Signal's number changing when someone reinstalls.

import type { Bytes } from "./bytes.js";
import { fromB64u } from "./b64u.js";

/** The fingerprint format version (Signal's NumericFingerprintGenerator VERSION). */
export const fingerprintVersion = 0;
/** SHA-512 iterations of one fingerprint (Signal's apps use 5200). */
export const fingerprintIterations = 5200;

/** One user as the safety number sees it: its stable id and its devices' public keys (b64u). */
export interface Party { userId: string; publicKeys: string[] }

/** Unsigned lexicographic order of two byte strings (libsignal's IdentityKeyComparator). */
function compareBytes(a: Bytes, b: Bytes): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function concat(parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The numeric fingerprint of Signal's scheme over arbitrary key bytes: `keys` sorted unsigned-
 * bytewise and concatenated, `stableId` in UTF-8, `iterations` rounds of SHA-512; 64 bytes.
 * (With a user's one 33-byte Curve25519 identity key and its phone number this is exactly
 * libsignal's fingerprint; the unit test checks libsignal's published test vector.)
 */
export async function numericFingerprint(stableId: string, keys: Bytes[],
                                         iterations = fingerprintIterations): Promise<Bytes> {
  const logical = concat([...keys].sort(compareBytes));
  const version = new Uint8Array([(fingerprintVersion >> 8) & 0xff, fingerprintVersion & 0xff]);
  let hash = concat([version, logical, new TextEncoder().encode(stableId)]);
  for (let i = 0; i < iterations; i++) {
    hash = new Uint8Array(await crypto.subtle.digest("SHA-512", concat([hash, logical])));
  }
  return hash;
}

/**
 * The 64-byte fingerprint of `party`: numericFingerprint over its devices' 65-byte P-256 points.
 * Throws Error("no devices") when it lists no key, Error("bad public key") for one that is not
 * b64u of a 65-byte uncompressed point.
 */
export async function userFingerprint(party: Party): Promise<Bytes> {
  if (party.publicKeys.length === 0) throw new Error("no devices");
  const keys = party.publicKeys.map((k) => {
    const bytes = fromB64u(k);
    if (bytes.length !== 65 || bytes[0] !== 4) throw new Error("bad public key");
    return bytes;
  });
  return numericFingerprint(party.userId, keys);
}

/** One 5-digit chunk: bytes [offset, offset + 5) as a big-endian number mod 100000, zero-padded. */
function chunk(hash: Bytes, offset: number): string {
  let value = 0;
  for (let i = 0; i < 5; i++) value = value * 256 + hash[offset + i]!;  // < 2^40: exact in a double
  return String(value % 100000).padStart(5, "0");
}

/** A party's 30-digit half of a safety number from its 64-byte fingerprint. */
export function displayHalf(fingerprint: Bytes): string {
  if (fingerprint.length < 30) throw new Error("short fingerprint");
  let out = "";
  for (let offset = 0; offset < 30; offset += 5) out += chunk(fingerprint, offset);
  return out;
}

/** The 30-digit half of `party` (its fingerprint, displayed). Throws as userFingerprint. */
export async function userHalf(party: Party): Promise<string> {
  return displayHalf(await userFingerprint(party));
}

/** The 60-digit safety number of two halves: the smaller string first (the same on both sides). */
export function combineHalves(a: string, b: string): string {
  return a <= b ? a + b : b + a;
}

/** The 60-digit safety number of `a` and `b` (either order gives the same). Throws as userFingerprint. */
export async function safetyNumber(a: Party, b: Party): Promise<string> {
  return combineHalves(await userHalf(a), await userHalf(b));
}

/** A safety number as its 12 groups of 5 digits (how the panel shows it). */
export function digitGroups(number: string): string[] {
  return number.match(/\d{5}/g) ?? [];
}
