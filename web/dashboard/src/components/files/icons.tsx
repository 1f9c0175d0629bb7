// Small inline SVG icons of the file features. Inline SVG instead of emoji (📎, 📄): an emoji
// shows as an empty box where no emoji font is installed (Debian's Chromium, many Linux desktops).
// Decorative: the button or link around an icon carries the accessible name.

const STROKE = {
  fill: "none", stroke: "currentColor", strokeWidth: 2, strokeLinecap: "round", strokeLinejoin: "round",
} as const;

/** A paperclip (the chat page's icon, web/src/attachments.ts), 18 px. */
export function PaperclipIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false" className="icon" {...STROKE}>
      <path d="M21.4 11.1 12.2 20.3a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 1 1-2.8-2.8l8.5-8.5" />
    </svg>
  );
}

/** A document page with a folded corner, 16 px. */
export function FileIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false" className="icon" {...STROKE}>
      <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
      <path d="M14 3v5h5" />
    </svg>
  );
}
