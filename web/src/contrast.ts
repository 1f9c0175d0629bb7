// look: readable text on a business's accent colour. The widget, the chat page and the
// dashboard's preview put white or near-black text on the bot's `widget.color`, whichever
// contrasts more, by the WCAG 2.1 definitions (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance
// and #dfn-contrast-ratio, used by Success Criterion 1.4.3 "Contrast (Minimum)"):
//   L = 0.2126 R + 0.7152 G + 0.0722 B, each channel c = s/255 linearised as
//   c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ^ 2.4   (sRGB, IEC 61966-2-1; WCAG 2.1
//   prints 0.03928, which gives the same result for every 8-bit value),
//   contrast = (L_lighter + 0.05) / (L_darker + 0.05), from 1:1 to 21:1.
// No DOM: shared by web/widget, web/src/chat.ts and web/dashboard.

/** White, for dark accents. */
export const lightInk = "#ffffff";
/** Near-black (the widget's own text colour), for light accents. */
export const darkInk = "#111827";

/** The "#rrggbb" colour's channels 0..255, or null when `hex` is not of that form. */
export function parseHex(hex: string): [number, number, number] | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) return null;
  return [parseInt(match[1], 16), parseInt(match[2], 16), parseInt(match[3], 16)];
}

/** WCAG 2.1 relative luminance (0 = black .. 1 = white) of "#rrggbb"; 0 for anything else. */
export function relativeLuminance(hex: string): number {
  const rgb = parseHex(hex);
  if (!rgb) return 0;
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.1 contrast ratio of two "#rrggbb" colours, 1..21. */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** The text colour for `background` ("#rrggbb"): lightInk or darkInk, whichever contrasts more. */
export function inkOn(background: string): string {
  return contrastRatio(background, lightInk) >= contrastRatio(background, darkInk) ? lightInk : darkInk;
}

/**
 * The accent as a text / border colour on white (links, chip outlines): the accent itself when
 * it reaches 4.5:1 against white (SC 1.4.3 for normal text), else darkInk.
 */
export function accentOnWhite(accent: string): string {
  return parseHex(accent) && contrastRatio(accent, lightInk) >= 4.5 ? accent : darkInk;
}
