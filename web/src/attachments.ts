// Files in the chat (docs/api.md "Attachments"): renders a message's attachment — an image
// thumbnail that opens the full picture in a lightbox, or a PDF link that downloads it — and
// uploads a file the visitor picked. The bytes need the bearer token, so they are fetched and
// shown from blob: URLs (a token never goes into a URL).

import type { Attachment } from "./protocol.js";
import type { Strings } from "./i18n.js";
import { strokeIcon } from "./dom.js";

/** The file types the server accepts (it decides from the content; this only filters the picker). */
export const acceptedTypes = "image/png,image/jpeg,image/webp,image/gif,application/pdf,.png,.jpg,.jpeg,.webp,.gif,.pdf";

const blobs = new Map<string, Promise<string>>();

/** A blob: URL of `url` fetched with the token (cached per URL for the page's life). */
function blobUrl(origin: string, url: string, token: () => string): Promise<string> {
  let cached = blobs.get(url);
  if (!cached) {
    cached = fetch(new URL(url, origin), { headers: { Authorization: `Bearer ${token()}` } }).then(async (r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return URL.createObjectURL(await r.blob());
    });
    cached.catch(() => blobs.delete(url));
    blobs.set(url, cached);
  }
  return cached;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Shows `src` full size over the page; Escape, a click or the close button closes it. */
function openLightbox(parent: Node, src: string, name: string, ui: Strings): void {
  const dialog = document.createElement("dialog");
  dialog.className = "lightbox";
  const img = document.createElement("img");
  img.src = src;
  img.alt = name;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "lightbox-close";
  close.textContent = "×";
  close.setAttribute("aria-label", ui.closeImage);
  dialog.append(img, close);
  dialog.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  // Inside the widget's shadow root the dialog gets the widget's styles, not the page's.
  const root = parent.getRootNode();
  (root instanceof ShadowRoot ? root : document.body).append(dialog);
  dialog.showModal();
}

/** The paperclip icon of the attach buttons (inline SVG: no emoji font needed). */
export function paperclipIcon(): SVGSVGElement {
  return strokeIcon("M21.4 11.1 12.2 20.3a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 1 1-2.8-2.8l8.5-8.5", 20, true);
}

/** True when the message text is only the server's "📎 <name>" stand-in for a missing caption. */
export function isFileOnlyText(text: string, attachment: Attachment): boolean {
  return text === `\u{1F4CE} ${attachment.name}`;
}

/** Appends the attachment of a message to its bubble `item`. */
export function renderAttachment(item: HTMLElement, attachment: Attachment, origin: string,
                                 token: () => string, ui: Strings): void {
  item.querySelector(".attachment")?.remove();
  const box = document.createElement("div");
  box.className = "attachment";
  if (attachment.media_type.startsWith("image/") && attachment.thumbnail_url) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "attachment-thumb";
    button.setAttribute("aria-label", `${ui.openImage}: ${attachment.name}`);
    const img = document.createElement("img");
    img.alt = attachment.name;
    if (attachment.width > 0 && attachment.height > 0) {
      const scale = Math.min(1, 320 / Math.max(attachment.width, attachment.height));
      img.width = Math.round(attachment.width * scale);
      img.height = Math.round(attachment.height * scale);
    }
    blobUrl(origin, attachment.thumbnail_url, token).then((src) => { img.src = src; }, () => { img.alt = `${attachment.name} (${ui.fileUnavailable})`; });
    button.append(img);
    button.addEventListener("click", () => {
      blobUrl(origin, attachment.url, token).then((src) => openLightbox(item, src, attachment.name, ui), () => undefined);
    });
    box.append(button);
  } else {
    const link = document.createElement("a");
    link.className = "attachment-file";
    link.href = "#";
    const badge = document.createElement("span");
    badge.className = "attachment-badge";
    badge.textContent = "PDF";
    link.append(badge, ` ${attachment.name} · ${sizeText(attachment.size_bytes)}`);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      blobUrl(origin, attachment.url, token).then((src) => {
        const a = document.createElement("a");
        a.href = src;
        a.download = attachment.name;
        a.click();
      }, () => undefined);
    });
    box.append(link);
  }
  item.append(box);
}

/** A client_id for an upload (crypto.randomUUID needs a secure context; widget hosts may be http). */
export function uploadClientId(): string {
  return `file-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Why an upload failed, as the server's error code ("payload_too_large", …) or "network". */
export class UploadError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** POSTs `file` to the conversation (multipart); resolves with the message seq. */
export async function uploadAttachment(origin: string, conversationId: string, token: string,
                                       file: File, clientId: string): Promise<number> {
  const form = new FormData();
  form.append("file", file, file.name);
  form.append("client_id", clientId);
  let response: Response;
  try {
    response = await fetch(new URL(`/api/v1/conversations/${encodeURIComponent(conversationId)}/attachments`, origin), {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
  } catch {
    throw new UploadError("network", "network error");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new UploadError(body?.error?.code ?? `http_${response.status}`, body?.error?.message ?? "");
  return body.message_seq as number;
}

/** The message a failed upload shows. */
export function uploadErrorText(error: unknown, ui: Strings): string {
  const code = error instanceof UploadError ? error.code : "";
  if (code === "payload_too_large") return ui.fileTooLarge;
  if (code === "unsupported_media_type" || code === "image_too_large") return ui.fileUnsupported;
  return ui.uploadFailed;
}
