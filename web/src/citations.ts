// Citations under a bot reply: `[n]` markers in the reply text become superscript links to the
// n-th entry of a "Sources" list (n = index in `message.sources` + 1, docs/protocol.md). Built
// with createElement/textContent only: message text and document titles are never parsed as HTML.

import type { MessageSource } from "./protocol.js";

/** `[1]`, `[2][3]` or `[1, 2]` (at most three digits each) in a reply text. */
const marker = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/** The element id of source `n` (1-based) of the message `messageId`. */
export function sourceAnchorId(messageId: string, n: number): string {
  return `src-${messageId}-${n}`;
}

/**
 * The reply `text` as nodes: plain text as text nodes, each marker whose numbers all name one of
 * the `count` sources as `<sup class="cite"><a href="#…">n</a></sup>` per number (`label` + n
 * as its accessible name; spaces before a marker are dropped). Markers naming no source (n = 0 or
 * n > count) stay as written.
 */
export function citedText(text: string, count: number, messageId: string, label: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(marker)) {
    const numbers = match[1].split(",").map((n) => Number(n.trim()));
    if (count === 0 || numbers.some((n) => n < 1 || n > count)) continue;
    out.append(text.slice(last, match.index).replace(/[ \t]+$/, ""));  // "feature [1]" → "feature¹"
    for (const n of numbers) {
      const sup = document.createElement("sup");
      sup.className = "cite";
      const link = document.createElement("a");
      link.href = `#${sourceAnchorId(messageId, n)}`;
      link.textContent = String(n);
      link.setAttribute("aria-label", `${label} ${n}`);
      sup.append(link);
      out.append(sup);
    }
    last = match.index! + match[0].length;
  }
  out.append(text.slice(last));
  return out;
}

/**
 * The "Sources" block of a reply: a heading (`heading`) and a numbered list of the document
 * titles, item n with the id sourceAnchorId(messageId, n) that the markers link to.
 */
export function sourcesList(sources: MessageSource[], messageId: string, heading: string): HTMLElement {
  const block = document.createElement("div");
  block.className = "sources";
  const title = document.createElement("span");
  title.className = "sources-title";
  title.textContent = heading;
  const list = document.createElement("ol");
  sources.forEach((source, i) => {
    const item = document.createElement("li");
    item.id = sourceAnchorId(messageId, i + 1);
    item.tabIndex = -1;
    item.textContent = source.document_title || source.document_id;
    item.dataset.documentId = source.document_id;
    item.dataset.chunkId = source.chunk_id;
    list.append(item);
  });
  block.append(title, list);
  return block;
}

/**
 * The extractive answerer ends a quote with a line naming its source document (services/ai-proxy
 * extractive_provider.cpp: `Source: “T”`, `Источник: «T»`, `Manba: “T”`) for clients that show
 * no sources. When that line names source n, the page shows `[n]` in its place: the list under
 * the reply names the document already.
 */
function sourceLineAsMarker(text: string, sources: MessageSource[]): string {
  const cut = text.lastIndexOf("\n\n");
  if (cut < 0) return text;
  const line = /^(?:Source: “(.*)”|Источник: «(.*)»|Manba: “(.*)”)$/.exec(text.slice(cut + 2));
  if (!line) return text;
  const title = line[1] ?? line[2] ?? line[3];
  const n = sources.findIndex((s) => s.document_title === title) + 1;
  return n > 0 ? `${text.slice(0, cut)} [${n}]` : text;
}

/**
 * Fills `body` (the reply's text element, emptied first) with `text` and its citation markers
 * and, when `sources` is non-empty, appends the sources block after `body`, replacing an older
 * one. Clicking a marker scrolls its list item into view and highlights it.
 */
export function renderReply(body: HTMLElement, text: string, sources: MessageSource[] | undefined,
                            messageId: string, labels: { sources: string; sourceLabel: string }): void {
  const list = sources ?? [];
  const shown = list.length > 0 ? sourceLineAsMarker(text, list) : text;
  body.replaceChildren(citedText(shown, list.length, messageId, labels.sourceLabel));
  body.parentElement?.querySelector(":scope > .sources")?.remove();
  if (list.length === 0) return;
  body.after(sourcesList(list, messageId, labels.sources));
}

/** One click handler for every citation link under `root` (event delegation). */
export function followCitations(root: HTMLElement): void {
  root.addEventListener("click", (event) => {
    const link = (event.target as Element | null)?.closest?.("sup.cite > a");
    if (!link) return;
    const id = link.getAttribute("href")!.slice(1);
    // The list may live in a shadow root (the widget), where document.getElementById cannot see.
    const target = (root.getRootNode() as Document | ShadowRoot).getElementById(id);
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: "nearest", behavior: "smooth" });
    target.focus({ preventScroll: true });
    target.classList.remove("flash");
    void target.offsetWidth;  // restart the highlight animation
    target.classList.add("flash");
  });
}
