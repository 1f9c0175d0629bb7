import { RefObject, useLayoutEffect, useState } from "react";

/** At or below this viewport width (CSS px) the navigation is always the Menu button (phones). */
export const PHONE_MAX_WIDTH = 640;

/**
 * Whether the header's navigation fits on one row beside the other items of that row.
 * `row`: the header's flex row (its content box is what there is; its column-gap separates the
 * items). `measure`: an element laid out like the navigation on one line (`width: max-content`,
 * hidden, aria-hidden), whose width is what the links need whatever is shown now. `mates`: a
 * selector, relative to `row`, for the items sharing the row with the links (brand, account).
 * False at or below PHONE_MAX_WIDTH px. Re-checked by a ResizeObserver whenever the row, the
 * measured links (language, items) or a mate (user name) change size; measured in the layout
 * phase, so the first paint is already right. `active`: whether the navigation is rendered at all
 * (signed in); the check starts when it becomes true.
 */
export function useNavFits(row: RefObject<HTMLElement>, measure: RefObject<HTMLElement>, mates: string,
  active: boolean): boolean {
  const [fits, setFits] = useState(true);
  useLayoutEffect(() => {
    const rowEl = row.current;
    const measureEl = measure.current;
    if (!active || !rowEl || !measureEl) return;
    const mateEls = [...rowEl.querySelectorAll<HTMLElement>(mates)];
    const check = () => {
      if (window.innerWidth <= PHONE_MAX_WIDTH) {
        setFits(false);
        return;
      }
      const style = getComputedStyle(rowEl);
      const available = rowEl.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const gap = parseFloat(style.columnGap) || 0;
      let needed = measureEl.getBoundingClientRect().width;
      for (const mate of mateEls) needed += gap + mate.getBoundingClientRect().width;
      setFits(needed <= available);
    };
    check();
    const observer = new ResizeObserver(check);
    for (const el of [rowEl, measureEl, ...mateEls]) observer.observe(el);
    return () => observer.disconnect();
  }, [row, measure, mates, active]);
  return fits;
}
