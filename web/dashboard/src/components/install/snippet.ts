// The widget's embed snippet (docs/widget.md) and copying text to the clipboard.

/** The one-line `<script>` that embeds bot `publicId` from the gateway at `origin`. */
export function embedSnippet(origin: string, publicId: string): string {
  return `<script src="${origin}/widget.js" data-bot="${publicId}" async></script>`;
}

/**
 * Copies `text`: the asynchronous Clipboard API where the page may use it (secure contexts),
 * else a selected off-screen textarea and `document.execCommand("copy")`. Resolves true when
 * the text was copied.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // denied: try the fallback
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.left = "-9999px";
  document.body.append(area);
  const focused = document.activeElement as HTMLElement | null;
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  focused?.focus();
  return ok;
}
