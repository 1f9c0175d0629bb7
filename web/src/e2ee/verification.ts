// What a member's verification means for key sharing (docs/e2ee.md "Verifying members"), as pure
// functions over the room's device list (GET /rooms/{id}/e2ee `devices`) and the verification
// records of this browser (verified-store.ts):
// - verified:   the member's device keys are exactly the ones seen when it was marked verified;
// - changed:    they differ (a device added, removed or re-keyed since) — the page does NOT wrap
//               room keys for the member's devices whose key was not in the verified set, and warns;
// - unverified: never marked — wrapped as before (verification is opt-in).

import type { MemberDevice } from "./room-keys.js";

/** What this browser remembers of a verified member (verified-store.ts). */
export interface VerifiedRecord {
  /** The signed-in user who verified. */
  owner: string;
  /** The verified member. */
  userId: string;
  /** The member's 30-digit half of the safety number when it was verified (safety-number.ts). */
  fingerprint: string;
  /** The member's device public keys (b64u) then, sorted. */
  publicKeys: string[];
  /** When (ISO 8601). */
  verifiedAt: string;
}

/** A member's state for the badge and for key sharing. */
export type Trust = "verified" | "unverified" | "changed";

/** The public keys (b64u) of `userId`'s devices in `devices`, sorted (string order), each once. */
export function memberKeys(devices: MemberDevice[], userId: string): string[] {
  return [...new Set(devices.filter((d) => d.user_id === userId).map((d) => d.public_key))].sort();
}

/** The trust of a member whose devices now have `keys` (memberKeys), given its record if any. */
export function trustOf(keys: string[], record: VerifiedRecord | undefined): Trust {
  if (!record) return "unverified";
  const then = [...new Set(record.publicKeys)].sort();
  return then.length === keys.length && then.every((k, i) => k === keys[i]) ? "verified" : "changed";
}

/** The outcome of sharePolicy: the devices a room key may be wrapped for, and the members withheld from. */
export interface SharePolicy { allowed: MemberDevice[]; changed: string[] }

/**
 * Filters `devices` for wrapping: every device of unverified and verified members and of `me`;
 * of a member whose keys changed since it was verified, only the devices whose key was in the
 * verified set. `changed` lists those members' ids (sorted) for the warning.
 */
export function sharePolicy(devices: MemberDevice[], me: string, records: Map<string, VerifiedRecord>): SharePolicy {
  const changed = new Set<string>();
  const allowed = devices.filter((d) => {
    if (d.user_id === me) return true;
    const record = records.get(d.user_id);
    if (trustOf(memberKeys(devices, d.user_id), record) !== "changed") return true;
    changed.add(d.user_id);
    return record!.publicKeys.includes(d.public_key);
  });
  return { allowed, changed: [...changed].sort() };
}
