// look: the widget's contrast rules (web/src/contrast.ts, WCAG 2.1 relative luminance and
// contrast ratio), re-exported for the dashboard so the preview picks the same text colour.

export { accentOnWhite, contrastRatio, inkOn, lightInk, parseHex } from "../../../../src/contrast";
import { parseHex } from "../../../../src/contrast";

/** True for a "#rrggbb" colour. */
export function isReadableColor(value: string): boolean {
  return parseHex(value) !== null;
}
