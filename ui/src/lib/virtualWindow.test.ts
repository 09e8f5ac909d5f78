// Tests for the fixed-height virtual list arithmetic, incl. lists taller than a browser allows.
import { describe, expect, it } from "vitest";
import { MAX_SCROLL_PX, contentHeight, scrollTopFor, tailWindow, visibleWindow } from "./virtualWindow";

const H = 24;

describe("virtual window", () => {
  it("shows the rows under the viewport plus overscan, drawn where they belong", () => {
    const w = visibleWindow(240, 480, 1000, H, 5);
    expect(w.first).toBe(5); // row 10 is at the top, 5 rows of overscan above
    expect(w.last).toBe(35); // 20 rows visible, 5 below
    expect(w.top).toBe(5 * H);
    expect(w.height).toBe(1000 * H);
  });
  it("handles empty, short and exactly-fitting lists", () => {
    expect(visibleWindow(0, 480, 0, H, 5)).toEqual({ first: 0, last: 0, top: 0, height: 0 });
    const w = visibleWindow(0, 480, 3, H, 5);
    expect([w.first, w.last, w.top]).toEqual([0, 3, 0]);
    const t = tailWindow(480, 20, H, 0);
    expect([t.first, t.last]).toEqual([0, 20]);
  });
  it("keeps a scroll past the end on the last rows", () => {
    const w = visibleWindow(1e9, 480, 1000, H, 0);
    expect(w.last).toBe(1000);
    expect(w.first).toBe(980);
  });
  it("caps the content height and maps scroll positions onto every row of a 10M-row list", () => {
    const count = 10_000_000;
    expect(contentHeight(count, H)).toBe(MAX_SCROLL_PX);
    const view = 480;
    const maxScroll = MAX_SCROLL_PX - view;
    const end = visibleWindow(maxScroll, view, count, H, 0);
    expect(end.last).toBe(count);
    expect(end.first).toBe(count - 20);
    // The last row's bottom is the content's bottom.
    expect(end.top + (end.last - end.first) * H).toBeCloseTo(MAX_SCROLL_PX, 0);
    const mid = visibleWindow(maxScroll / 2, view, count, H, 0);
    expect(Math.abs(mid.first - (count - 20) / 2)).toBeLessThan(2);
    // The drawn rows lie inside the viewport at that scroll position.
    expect(mid.top).toBeGreaterThanOrEqual(maxScroll / 2 - H);
    expect(mid.top).toBeLessThanOrEqual(maxScroll / 2);
  });
  it("scrolls to a row at the start, center or end, scaled or not", () => {
    for (const count of [1000, 3_000_000]) {
      for (const [idx, align] of [[0, "start"], [500, "center"], [999, "end"], [700, "start"]] as const) {
        const top = scrollTopFor(idx, align, 480, count, H);
        const w = visibleWindow(top, 480, count, H, 0);
        expect(idx).toBeGreaterThanOrEqual(w.first);
        expect(idx).toBeLessThan(w.last);
      }
      const far = count - 3;
      const w = visibleWindow(scrollTopFor(far, "center", 480, count, H), 480, count, H, 0);
      expect(far).toBeLessThan(w.last);
      expect(far).toBeGreaterThanOrEqual(w.first);
    }
  });
});
