// One open encrypted room as the rooms panel uses it: message texts in and out of envelopes
// (envelope.ts) with the room's keys (room-keys.ts), and files encrypted before upload and
// decrypted after download (file-crypto.ts) — the server only ever sees envelopes and
// `encrypted.bin` bytes (docs/e2ee.md).

import { ApiError } from "./api.js";
import type { Device } from "./device-keystore.js";
import { open, parseEnvelope, seal, type Plaintext, type SealedAttachment } from "./envelope.js";
import { decryptFile, encryptFile } from "./file-crypto.js";
import { RoomKeyring } from "./room-keys.js";

/** Why a text could not be shown: not an envelope, or no key for its epoch, or it does not open. */
export type Unreadable = "not_encrypted" | "no_key" | "corrupt";
/** A decrypted message text (and its file), or why not. */
export type Opened = { ok: true; plain: Plaintext; epoch: number; keyId: string } | { ok: false; why: Unreadable };

/**
 * The longest envelope sent (characters): the server's message text limit (4000 code points)
 * applies before its envelope check (docs/e2ee.md "Messages", "Effective size").
 */
export const maxEnvelopeChars = 4000;

/** The largest file encrypted in the browser (bytes); the server's plan cap still applies. */
export const maxEncryptedFileBytes = 10 * 1024 * 1024;

/** Messages and files of encrypted room `roomId` for this device. */
export class EncryptedRoom {
  readonly keys: RoomKeyring;

  constructor(readonly origin: string, readonly token: () => string, readonly roomId: string,
              device: Device) {
    this.keys = new RoomKeyring(origin, token, roomId, device);
  }

  /**
   * Decrypts a message text. A missing key triggers one key re-read (someone may have wrapped it
   * for us since); a text that is not an envelope is refused (never shown as if it were plaintext).
   */
  async openText(text: string): Promise<Opened> {
    const envelope = parseEnvelope(text);
    if (!envelope) return { ok: false, why: "not_encrypted" };
    let key = this.keys.keyFor(envelope.epoch, envelope.keyId);
    if (!key) {
      await this.keys.sync().catch(() => undefined);
      key = this.keys.keyFor(envelope.epoch, envelope.keyId);
    }
    if (!key) return { ok: false, why: "no_key" };
    try {
      return { ok: true, plain: await open(key.key, this.roomId, envelope), epoch: envelope.epoch, keyId: envelope.keyId };
    } catch {
      return { ok: false, why: "corrupt" };
    }
  }

  /**
   * `plain` as an envelope under the current key, creating that key (or fetching it) first when
   * this device has none. Throws ApiError("no_key") when no key can be had (nobody has wrapped
   * the current epoch's key for this device yet).
   */
  async sealText(plain: Plaintext): Promise<string> {
    let key = this.keys.current();
    if (!key) {
      await this.keys.sync();
      key = this.keys.current();
    }
    if (!key) throw new ApiError(0, "no_key", "this device has no key for the room yet");
    const envelope = await seal(key.key, this.roomId, key.epoch, key.keyId, plain);
    if (envelope.length > maxEnvelopeChars) throw new ApiError(0, "too_long", "the message is too long once encrypted");
    return envelope;
  }

  /** Re-reads the key state after `key_epoch_stale` / `key_conflict`: rotates when the new epoch has no key. */
  refresh(): Promise<void> {
    return this.keys.sync();
  }

  /**
   * Encrypts `file` and uploads it as `encrypted.bin` (octet-stream) to the room with caption =
   * the envelope of `{"text": caption, "attachment": {name, type, size}}`; resolves with the
   * message seq. Throws ApiError (413 payload_too_large, 409 key_epoch_stale, …).
   */
  async uploadFile(file: File, caption: string, clientId: string): Promise<number> {
    if (file.size > maxEncryptedFileBytes) throw new ApiError(413, "payload_too_large", "file too large");
    let key = this.keys.current();
    if (!key) {
      await this.keys.sync();
      key = this.keys.current();
    }
    if (!key) throw new ApiError(0, "no_key", "this device has no key for the room yet");
    const bytes = await encryptFile(key.key, await file.arrayBuffer());
    const meta: SealedAttachment = { name: file.name, type: file.type || "application/octet-stream", size: file.size };
    const envelope = await seal(key.key, this.roomId, key.epoch, key.keyId, { text: caption, attachment: meta });
    const form = new FormData();
    form.append("file", new Blob([bytes], { type: "application/octet-stream" }), "encrypted.bin");
    form.append("caption", envelope);
    form.append("client_id", clientId);
    let response: Response;
    try {
      response = await fetch(`${this.origin}/api/v1/conversations/${encodeURIComponent(this.roomId)}/attachments`, {
        method: "POST", headers: { Authorization: `Bearer ${this.token()}` }, body: form,
      });
    } catch {
      throw new ApiError(0, "network", "network error");
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, body?.error?.code ?? `http_${response.status}`, body?.error?.message ?? "");
    return body.message_seq as number;
  }

  private readonly files = new Map<string, Promise<string>>();

  /**
   * A blob: URL of the decrypted file at `url` (the server's `/api/v1/attachments/{id}`),
   * encrypted under (`epoch`, `keyId`), typed `type` (from the envelope). Cached per URL.
   */
  fileUrl(url: string, epoch: number, keyId: string, type: string): Promise<string> {
    let cached = this.files.get(url);
    if (!cached) {
      cached = (async () => {
        const key = this.keys.keyFor(epoch, keyId);
        if (!key) throw new Error("no key");
        const response = await fetch(new URL(url, this.origin), { headers: { Authorization: `Bearer ${this.token()}` } });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const plain = await decryptFile(key.key, await response.arrayBuffer());
        return URL.createObjectURL(new Blob([plain], { type: safeType(type) }));
      })();
      cached.catch(() => this.files.delete(url));
      this.files.set(url, cached);
    }
    return cached;
  }
}

/** The type a decrypted blob gets: the five types the product shows, else octet-stream (no HTML, no SVG). */
export function safeType(type: string): string {
  return ["image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"].includes(type) ? type : "application/octet-stream";
}
