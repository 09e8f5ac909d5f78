// Tests for the SSE pane's event buffer: appended in place and capped, dropping the oldest.
import { describe, expect, it } from "vitest";
import { appendCapped } from "./SsePane";

describe("appendCapped", () => {
  it("appends in place and drops the oldest once a tenth past the cap", () => {
    const list: number[] = [];
    appendCapped(list, [1, 2, 3], 10);
    expect(list).toEqual([1, 2, 3]);
    for (let i = 4; i <= 11; i++) appendCapped(list, [i], 10);
    expect(list.length).toBe(11); // within cap + cap/10: nothing dropped yet
    appendCapped(list, [12], 10);
    expect(list).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // A flood never grows it past cap + cap/10.
    for (let i = 0; i < 10_000; i++) appendCapped(list, [i, i], 10);
    expect(list.length).toBeLessThanOrEqual(11);
    expect(list[list.length - 1]).toBe(9_999);
  });
});
