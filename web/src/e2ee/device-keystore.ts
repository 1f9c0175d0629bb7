// This browser's E2EE device (docs/e2ee.md "Device keys"): an ECDH P-256 key pair whose private
// key is generated non-extractable and kept in IndexedDB (the browser can use it, script cannot
// read it out), a random 22-char device id, one per signed-in user, registered with
// `PUT /api/v1/e2ee/devices/{device_id}` (idempotent; 409 = the id is taken by another key, so a
// new device is made).

import { apiCall, ApiError } from "./api.js";
import { randomId } from "./b64u.js";
import { exportPublicKey } from "./wrap.js";

/** A device of this browser. */
export interface Device { userId: string; deviceId: string; publicKey: string; privateKey: CryptoKey }

const dbName = "botfactory-e2ee";
const storeName = "devices";

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function openDb(): Promise<IDBDatabase> {
  const req = indexedDB.open(dbName, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(storeName, { keyPath: "userId" });
  return request(req);
}

async function loadDevice(userId: string): Promise<Device | undefined> {
  const db = await openDb();
  try {
    return await request(db.transaction(storeName).objectStore(storeName).get(userId)) as Device | undefined;
  } finally {
    db.close();
  }
}

async function saveDevice(device: Device): Promise<void> {
  const db = await openDb();
  try {
    const tx = db.transaction(storeName, "readwrite");
    tx.objectStore(storeName).put(device);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** A new key pair (private key non-extractable) and device id for `userId`. */
export async function newDevice(userId: string): Promise<Device> {
  const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]) as CryptoKeyPair;
  return { userId, deviceId: randomId(), publicKey: await exportPublicKey(pair.publicKey), privateKey: pair.privateKey };
}

const ready = new Map<string, Promise<Device>>();

/**
 * This browser's device of user `userId`, created and stored on first use and registered with
 * the server (once per page). Throws ApiError when the server refuses it.
 */
export function deviceFor(origin: string, token: () => string, userId: string): Promise<Device> {
  let device = ready.get(userId);
  if (!device) {
    device = (async () => {
      let d = await loadDevice(userId);
      if (!d) {
        d = await newDevice(userId);
        await saveDevice(d);
      }
      try {
        await apiCall(origin, token, "PUT", `/api/v1/e2ee/devices/${d.deviceId}`, { public_key: d.publicKey });
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 409)) throw error;
        d = await newDevice(userId);  // the id is someone else's key: start a fresh device
        await saveDevice(d);
        await apiCall(origin, token, "PUT", `/api/v1/e2ee/devices/${d.deviceId}`, { public_key: d.publicKey });
      }
      return d;
    })();
    device.catch(() => ready.delete(userId));
    ready.set(userId, device);
  }
  return device;
}
