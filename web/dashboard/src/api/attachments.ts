// Conversation attachments (docs/api.md "Attachments"): the bytes need the user's token, so
// they are fetched with it and shown from blob: URLs; uploads are multipart POSTs.

import { ApiError, authorized, errorFromResponse, networkError } from "./client";

export interface Attachment {
  id: string;
  media_type: string;
  size_bytes: number;
  name: string;
  width: number;
  height: number;
  has_thumbnail: boolean;
  url: string;
  thumbnail_url: string | null;
}

const blobs = new Map<string, Promise<string>>();

/** A blob: URL of an attachment URL ("/api/v1/attachments/…"), cached for the page's life. */
export function attachmentBlobUrl(url: string): Promise<string> {
  let cached = blobs.get(url);
  if (!cached) {
    cached = authorized(async (access) => {
      let res: Response;
      try {
        res = await fetch(url, { headers: { Authorization: `Bearer ${access}` } });
      } catch {
        throw networkError();
      }
      if (!res.ok) throw await errorFromResponse(res);
      return URL.createObjectURL(await res.blob());
    });
    cached.catch(() => blobs.delete(url));
    blobs.set(url, cached);
  }
  return cached;
}

/** POST /conversations/{id}/attachments with `file` (multipart); resolves with the message seq. */
export function uploadAttachment(conversationId: string, file: File): Promise<number> {
  return authorized(async (access) => {
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("client_id", `file-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`);
    let res: Response;
    try {
      res = await fetch(`/api/v1/conversations/${encodeURIComponent(conversationId)}/attachments`, {
        method: "POST",
        headers: { Authorization: `Bearer ${access}` },
        body: form,
      });
    } catch {
      throw networkError();
    }
    if (!res.ok) throw await errorFromResponse(res);
    const body = (await res.json()) as { message_seq: number };
    return body.message_seq;
  });
}

export { ApiError };
