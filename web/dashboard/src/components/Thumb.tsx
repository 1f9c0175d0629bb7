// answer feedback: a small thumb icon (up = "Helpful", down = "Not helpful"), stroked in
// currentColor; decorative — the caller gives the accessible text.

const UP = "M7 10v11H3V10h4zm0 0 4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8a2 2 0 0 1-2 1.7H7";
const DOWN = "M17 14V3h4v11h-4zm0 0-4 8a3 3 0 0 1-3-3v-4H4.5a2 2 0 0 1-2-2.3l1.4-8a2 2 0 0 1 2-1.7H17";

export function Thumb({ rating, size = 16 }: { rating: "up" | "down"; size?: number }) {
  return (
    <svg viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" className={`thumb thumb-${rating}`}>
      <path d={rating === "up" ? UP : DOWN} fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
    </svg>
  );
}
