// The keys of one encrypted room for this device (docs/e2ee.md "Room keys"): reads
// `GET /api/v1/rooms/{id}/e2ee?device_id=`, unwraps every key wrapped for this device, creates the
// epoch's key when it has none yet (first POST wins; `409 key_conflict` → re-read and use the
// winner's), and wraps the current key for every member device that lacks it (`has_key=false`:
// a member who just joined, a new device, or everyone after a rotation).

import type { Bytes } from "./bytes.js";
import { apiCall, ApiError } from "./api.js";
import { randomBytes, randomId } from "./b64u.js";
import type { Device } from "./device-keystore.js";
import { importRoomKey } from "./envelope.js";
import { unwrapRoomKey, wrapRoomKey } from "./wrap.js";

/** A member device as GET /rooms/{id}/e2ee lists it. */
export interface MemberDevice { user_id: string; device_id: string; public_key: string; has_key: boolean }
interface MyKey { epoch: number; key_id: string; wrapped_key: string }
/** The answer of GET /rooms/{id}/e2ee. */
export interface KeyState { key_epoch: number; key_id: string | null; devices: MemberDevice[]; my_keys: MyKey[] }

/** A usable room key. */
export interface RoomKey { epoch: number; keyId: string; key: CryptoKey }

/** How many times one sync re-reads after losing a race (key_conflict / key_epoch_stale). */
const maxRaces = 4;

/** The keys of room `roomId` held by `device`. */
export class RoomKeyring {
  private readonly raw = new Map<string, Bytes>();
  private readonly keys = new Map<string, RoomKey>();
  private running: Promise<void> | null = null;
  private again = false;
  /** The room's current epoch and its key id (null: nobody created it yet), as last read. */
  epoch = 0;
  keyId: string | null = null;
  /**
   * Chooses the devices a key may be wrapped for from every member device just read (called once
   * per sync, also when nothing is to be wrapped); the default allows all. The verification panel
   * (verify-panel.ts) sets it to withhold keys from devices added since a member was verified.
   */
  guard: (devices: MemberDevice[]) => Promise<MemberDevice[]> = async (devices) => devices;

  constructor(private readonly origin: string, private readonly token: () => string,
              readonly roomId: string, private readonly device: Device) {}

  /** The key of (`epoch`, `keyId`) when this device holds it. */
  keyFor(epoch: number, keyId: string): RoomKey | undefined {
    return this.keys.get(`${epoch}.${keyId}`);
  }

  /** The current epoch's key when this device holds it. */
  current(): RoomKey | undefined {
    return this.keyId ? this.keyFor(this.epoch, this.keyId) : undefined;
  }

  /**
   * Reads the room's key state, unwraps new keys, creates the current epoch's key if missing and
   * shares it with devices that lack it. Calls while one runs are folded into one more run.
   * Throws ApiError / network errors of the last attempt.
   */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.syncOnce();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async read(): Promise<KeyState> {
    const state = await apiCall(this.origin, this.token, "GET",
      `/api/v1/rooms/${this.roomId}/e2ee?device_id=${encodeURIComponent(this.device.deviceId)}`) as KeyState;
    this.epoch = state.key_epoch;
    this.keyId = state.key_id;
    for (const wrap of state.my_keys ?? []) {
      const id = `${wrap.epoch}.${wrap.key_id}`;
      if (this.keys.has(id)) continue;
      try {
        const raw = await unwrapRoomKey(wrap.wrapped_key, this.device.privateKey, this.roomId, wrap.epoch, wrap.key_id);
        this.raw.set(id, raw);
        this.keys.set(id, { epoch: wrap.epoch, keyId: wrap.key_id, key: await importRoomKey(raw) });
      } catch {
        // A wrap this device cannot open (garbage or not for us) is skipped, never fatal.
      }
    }
    return state;
  }

  private async syncOnce(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const state = await this.read();
      try {
        if (state.key_id === null) await this.create(state);
        else await this.share(state);
        return;
      } catch (error) {
        const raced = error instanceof ApiError && (error.code === "key_conflict" || error.code === "key_epoch_stale");
        if (!raced || attempt + 1 >= maxRaces) throw error;
      }
    }
  }

  /** A new 32-byte key for the state's epoch, wrapped for every member device (ours included). */
  private async create(state: KeyState): Promise<void> {
    const raw = randomBytes(32);
    const keyId = randomId();
    await this.post(state.key_epoch, keyId, raw, await this.guard(state.devices));
    const id = `${state.key_epoch}.${keyId}`;
    this.raw.set(id, raw);
    this.keys.set(id, { epoch: state.key_epoch, keyId, key: await importRoomKey(raw) });
    this.keyId = keyId;
  }

  /** Wraps the current key for the devices without it (when this device holds it). */
  private async share(state: KeyState): Promise<void> {
    const allowed = await this.guard(state.devices);
    const raw = this.raw.get(`${state.key_epoch}.${state.key_id}`);
    const missing = allowed.filter((d) => !d.has_key);
    if (!raw || missing.length === 0) return;
    await this.post(state.key_epoch, state.key_id!, raw, missing);
  }

  private async post(epoch: number, keyId: string, raw: Bytes, devices: MemberDevice[]): Promise<void> {
    // A device whose public key does not import is skipped (the server checked it; never fatal).
    const keys = (await Promise.all(devices.map(async (d) => {
      try {
        return { user_id: d.user_id, device_id: d.device_id,
                 wrapped_key: await wrapRoomKey(raw, d.public_key, this.roomId, epoch, keyId) };
      } catch {
        return null;
      }
    }))).filter((k) => k !== null);
    await apiCall(this.origin, this.token, "POST", `/api/v1/rooms/${this.roomId}/e2ee/keys`,
      { epoch, key_id: keyId, device_id: this.device.deviceId, keys });
  }
}
