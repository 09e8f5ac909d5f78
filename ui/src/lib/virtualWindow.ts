// Fixed-height virtual list arithmetic: which rows a viewport shows and where, for any row count, in
// O(1) (no per-row measurements, so a 10M-row log costs what a 100-row one does).
// Browsers cap an element's height (WebKit near 33.5M px, Firefox near 17.9M px), so a list taller
// than MAX_SCROLL_PX is scrolled in proportion: the scrollbar spans the whole list and each scroll
// position maps onto a row offset.

/** The tallest scroll content we create, in px. */
export const MAX_SCROLL_PX = 15_000_000;

export interface RowWindow {
  /** First row to draw (with overscan). */
  first: number;
  /** One past the last row to draw. */
  last: number;
  /** Where row `first` is drawn, in px from the top of the scroll content. */
  top: number;
  /** Height of the scroll content in px. */
  height: number;
}

/** Height of the scroll content for `count` rows of `rowH` px. */
export function contentHeight(count: number, rowH: number): number {
  return Math.min(count * rowH, MAX_SCROLL_PX);
}

/** The list's offset (px into the full, unscaled list) shown at scroll position `scrollTop`. */
function listOffset(scrollTop: number, viewH: number, count: number, rowH: number): number {
  const full = count * rowH;
  const h = contentHeight(count, rowH);
  const maxList = Math.max(0, full - viewH);
  if (full === h) return Math.min(Math.max(0, scrollTop), maxList);
  const maxScroll = Math.max(1, h - viewH);
  return (Math.min(Math.max(0, scrollTop), maxScroll) / maxScroll) * maxList;
}

/** The rows to draw at `scrollTop` in a viewport `viewH` px tall, `overscan` rows beyond each edge. */
export function visibleWindow(scrollTop: number, viewH: number, count: number, rowH: number, overscan: number): RowWindow {
  const height = contentHeight(count, rowH);
  if (count <= 0) return { first: 0, last: 0, top: 0, height: 0 };
  const offset = listOffset(scrollTop, viewH, count, rowH);
  const firstVisible = Math.floor(offset / rowH);
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(count, Math.ceil((offset + viewH) / rowH) + overscan);
  // Row i sits at (i * rowH - offset) px below the viewport's top, which is at scrollTop.
  const top = Math.max(0, Math.min(height - (last - first) * rowH, scrollTop + first * rowH - offset));
  return { first, last, top: Math.max(0, top), height };
}

/** The window at the end of the list (autoscroll), whatever the scroll position. */
export function tailWindow(viewH: number, count: number, rowH: number, overscan: number): RowWindow {
  const height = contentHeight(count, rowH);
  return visibleWindow(Math.max(0, height - viewH), viewH, count, rowH, overscan);
}

export type Align = "start" | "center" | "end";

/** The scroll position that shows row `index` at the top, middle or bottom of the viewport. */
export function scrollTopFor(index: number, align: Align, viewH: number, count: number, rowH: number): number {
  const full = count * rowH;
  const h = contentHeight(count, rowH);
  const maxList = Math.max(0, full - viewH);
  let offset = index * rowH;
  if (align === "center") offset -= (viewH - rowH) / 2;
  if (align === "end") offset += rowH - viewH;
  offset = Math.min(Math.max(0, offset), maxList);
  if (full === h || maxList === 0) return offset;
  return (offset / maxList) * Math.max(0, h - viewH);
}
