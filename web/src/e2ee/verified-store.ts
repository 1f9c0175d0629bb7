// The members this browser's signed-in user marked as verified (docs/e2ee.md "Verifying
// members"): IndexedDB database `botfactory-e2ee-verified`, store `verified`, keyed by [owner
// user id, verified user id]; each record holds the member's safety-number half and device keys
// seen at that moment (verification.ts VerifiedRecord). Local only: nothing of it is sent to the
// server (which is what it guards against). A database of its own, so the device store's
// (device-keystore.ts, `botfactory-e2ee` version 1) schema stays as it is.

import type { VerifiedRecord } from "./verification.js";

const dbName = "botfactory-e2ee-verified";
const storeName = "verified";

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const open = indexedDB.open(dbName, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(storeName, { keyPath: ["owner", "userId"] });
  const db = await request(open);
  try {
    const tx = db.transaction(storeName, mode);
    const result = request(work(tx.objectStore(storeName)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return await result;
  } finally {
    db.close();
  }
}

/** Every member `owner` (the signed-in user's id) verified, by member user id. Rejects on IndexedDB errors. */
export async function verifiedBy(owner: string): Promise<Map<string, VerifiedRecord>> {
  const range = IDBKeyRange.bound([owner, ""], [owner, "\uffff"]);
  const records = await withStore("readonly", (store) => store.getAll(range)) as VerifiedRecord[];
  return new Map(records.filter((r) => r.owner === owner).map((r) => [r.userId, r]));
}

/** Stores (or replaces) `record`: its member is verified by its owner with these keys. */
export async function markVerified(record: VerifiedRecord): Promise<void> {
  await withStore("readwrite", (store) => store.put(record));
}

/** Forgets that `owner` verified `userId` (back to "not verified"). */
export async function unmarkVerified(owner: string, userId: string): Promise<void> {
  await withStore("readwrite", (store) => store.delete([owner, userId]));
}
