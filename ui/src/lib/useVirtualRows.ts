// Hook for a fixed-height virtual list in a scroll container: the rows to draw, following the tail
// (autoscroll) without a render per scroll event, and scrolling to a row.
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from "react";
import { scrollTopFor, tailWindow, visibleWindow, type Align, type RowWindow } from "./virtualWindow";

export interface VirtualRows {
  win: RowWindow;
  /** Pass to the scroll container's onScroll. */
  onScroll(): void;
  /** Scrolls so row `index` is in view (stops following the tail). */
  scrollToIndex(index: number, align?: Align): void;
}

interface Options {
  count: number;
  rowHeight: number;
  overscan?: number;
  /** Keep the last row in view as rows arrive. */
  follow: boolean;
  /** Called when the user scrolls away from the tail while following. */
  onLeaveTail?(): void;
  /** Called with the rows a scroll position will show, before it renders (to fetch them early). */
  onRange?(first: number, last: number): void;
}

export function useVirtualRows(ref: RefObject<HTMLElement | null>, opts: Options): VirtualRows {
  const { count, rowHeight, overscan = 10, follow } = opts;
  const [scrollTop, setScrollTop] = useState(0);
  const [viewH, setViewH] = useState(600);
  const latest = useRef(opts);
  latest.current = opts;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setViewH(el.clientHeight || 600);
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setViewH(el.clientHeight || 600));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);

  const win = follow ? tailWindow(viewH, count, rowHeight, overscan) : visibleWindow(scrollTop, viewH, count, rowHeight, overscan);

  // Following: keep the scroll position at the bottom after every render that added rows.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!follow || !el) return;
    const bottom = Math.max(0, el.scrollHeight - el.clientHeight);
    if (Math.abs(el.scrollTop - bottom) > 1) el.scrollTop = bottom;
  }, [follow, count, win.height, ref]);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const o = latest.current;
    const top = el.scrollTop;
    if (o.follow) {
      // Our own scroll to the bottom needs no render; a user scrolling up leaves the tail.
      if (top < el.scrollHeight - el.clientHeight - 2 * o.rowHeight) o.onLeaveTail?.();
      else return;
    }
    const w = visibleWindow(top, el.clientHeight || 600, o.count, o.rowHeight, o.overscan ?? 10);
    o.onRange?.(w.first, w.last);
    setScrollTop(top);
  }, [ref]);

  const scrollToIndex = useCallback(
    (index: number, align: Align = "center") => {
      const el = ref.current;
      if (!el) return;
      const o = latest.current;
      const h = el.clientHeight || 600;
      const top = scrollTopFor(index, align, h, o.count, o.rowHeight);
      const w = visibleWindow(top, h, o.count, o.rowHeight, o.overscan ?? 10);
      o.onRange?.(w.first, w.last);
      el.scrollTop = top;
      setScrollTop(el.scrollTop);
    },
    [ref],
  );

  return { win, onScroll, scrollToIndex };
}
