// Knowledge file upload with real progress: XMLHttpRequest's upload events (fetch has none),
// multipart/form-data to POST /api/v1/bots/{id}/knowledge (docs/api.md "Knowledge").

import { ApiError, authorized, networkError } from "./client";
import type { KnowledgeDocument } from "./types";

/** Upload phases: bytes going out, then the server parsing and indexing the document. */
export type UploadPhase = "uploading" | "processing";

/**
 * Uploads `file` (optional `title`, default the file name) to bot `botId`. `onProgress(phase,
 * fraction 0..1)` follows the request body's bytes; at 1 the phase becomes "processing" until
 * the server answers. Resolves with the stored document; rejects with ApiError (the API's code,
 * "network", or "aborted" when `signal` fires). A 401 refreshes the token and restarts once.
 */
export function uploadKnowledgeFile(
  botId: string,
  file: File,
  title: string,
  onProgress: (phase: UploadPhase, fraction: number) => void,
  signal?: AbortSignal,
): Promise<KnowledgeDocument> {
  return authorized((access) => send(botId, file, title, access, onProgress, signal));
}

function send(
  botId: string,
  file: File,
  title: string,
  access: string,
  onProgress: (phase: UploadPhase, fraction: number) => void,
  signal?: AbortSignal,
): Promise<KnowledgeDocument> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/bots/${encodeURIComponent(botId)}/knowledge`);
    xhr.setRequestHeader("Authorization", `Bearer ${access}`);
    xhr.responseType = "text";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress("uploading", Math.min(1, e.loaded / e.total));
    };
    xhr.upload.onload = () => onProgress("processing", 1);
    xhr.onerror = () => reject(networkError());
    xhr.onabort = () => reject(new ApiError(0, "aborted", "upload cancelled"));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as KnowledgeDocument);
        return;
      }
      const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      const retry = Number(xhr.getResponseHeader("Retry-After"));
      reject(new ApiError(
        xhr.status,
        err?.code ?? (xhr.status === 503 ? "unavailable" : xhr.status >= 500 ? "internal" : "unknown"),
        err?.message ?? xhr.statusText,
        Number.isFinite(retry) && retry > 0 ? retry : undefined,
      ));
    };
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append("title", title || file.name);
    form.append("file", file, file.name);
    onProgress("uploading", 0);
    xhr.send(form);
  });
}
