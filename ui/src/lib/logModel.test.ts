// Tests for the log row cache behind the virtual list.
import { describe, expect, it } from "vitest";
import type { RowDto } from "../ipc";
import { CACHE_LIMIT, LogModel, formatSize, formatTime } from "./logModel";

const row = (index: number): RowDto => ({
  index, t_ms: index, kind: "text", dir: "in", code: 0, code_name: "", size: 1, text: `m${index}`,
});

describe("LogModel", () => {
  it("takes totals and tails and reports what is missing", () => {
    const m = new LogModel();
    m.apply(10, [row(8), row(9)]);
    expect(m.total).toBe(10);
    expect(m.row(9)?.text).toBe("m9");
    expect(m.missing(0, 10)).toEqual([0, 8]);
    expect(m.missing(8, 20)).toBeNull();
    m.insert([row(2)]);
    expect(m.missing(2, 5)).toEqual([3, 5]);
  });
  it("takes a smaller total after the log was cleared and drops rows past it", () => {
    const m = new LogModel();
    m.apply(5, [row(3), row(4)]);
    m.apply(2, [row(1)]);
    expect(m.total).toBe(2);
    expect(m.row(4)).toBeUndefined();
    expect(m.row(1)?.text).toBe("m1");
  });
  it("forgets cached rows but keeps the total", () => {
    const m = new LogModel();
    m.apply(3, [row(2)]);
    m.forget();
    expect(m.total).toBe(3);
    expect(m.missing(0, 3)).toEqual([0, 3]);
  });
  it("stays bounded however many rows arrive, keeping the viewed rows and the tail", () => {
    const m = new LogModel();
    m.view(1000, 1050);
    let total = 0;
    // A flood: 1M rows arriving as 200-row batch tails, as the window gets them.
    for (let b = 0; b < 5000; b++) {
      const tail = Array.from({ length: 200 }, (_, i) => row(total + i));
      total += 200;
      m.apply(total, tail);
      expect(m.cached).toBeLessThanOrEqual(CACHE_LIMIT);
    }
    expect(m.row(total - 1)?.text).toBe(`m${total - 1}`);
    expect(m.row(500_000)).toBeUndefined();
    // Rows fetched for the view survive the next batches.
    m.insert(Array.from({ length: 50 }, (_, i) => row(1000 + i)));
    for (let b = 0; b < 100; b++) {
      m.apply(total + 200, Array.from({ length: 200 }, (_, i) => row(total + i)));
      total += 200;
    }
    expect(m.missing(1000, 1050)).toBeNull();
  });
});

describe("formatting", () => {
  it("formats times and sizes", () => {
    expect(formatTime(1234.5)).toBe("1.234s");
    expect(formatSize(12)).toBe("12 B");
    expect(formatSize(2048)).toBe("2.0 KB");
  });
});
