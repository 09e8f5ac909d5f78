// Tests for the log's inspector logic: hex dump, JSON tree, rate meter, filters, compare summary.
import { describe, expect, it } from "vitest";
import { hexDump, hexDumpText, hexToBytes } from "./hexDump";
import { flattenJson, parseJsonContainer, toggle } from "./jsonTree";
import { RateMeter, sparkline } from "./rate";
import { FilteredIndex, isOpen, kindClass, positionOf, toFilter, KIND_CLASSES } from "./logFilter";
import { liveSummary, percentile } from "./compareStats";
import type { CompareItemDto } from "../ipc";

describe("hex dump", () => {
  it("lays out offset, 16 hex bytes and printable ASCII", () => {
    const bytes = hexToBytes("de ad be ef 48 65 6c 6c 6f 00 7f 20 41 42 43 44 45");
    expect(bytes.length).toBe(17);
    const lines = hexDump(bytes);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      offset: "00000000",
      hex: "de ad be ef 48 65 6c 6c 6f 00 7f 20 41 42 43 44",
      ascii: "....Hello.. ABCD",
    });
    expect(lines[1].offset).toBe("00000010");
    expect(lines[1].hex).toBe("45" + "   ".repeat(15));
    expect(hexDumpText(hexToBytes("4142"))).toBe(`00000000  41 42${"   ".repeat(14)}  |AB|`);
    expect(hexDump(new Uint8Array())).toEqual([]);
  });
});

describe("JSON tree", () => {
  const value = { a: 1, b: { c: [true, null, "x"] }, "d/e": {} };
  it("flattens with depth, keys, pointers and container sizes", () => {
    const lines = flattenJson(value, new Set());
    expect(lines.map((l) => [l.path, l.depth, l.key, l.text])).toEqual([
      ["", 0, null, "{3}"],
      ["/a", 1, "a", "1"],
      ["/b", 1, "b", "{1}"],
      ["/b/c", 2, "c", "[3]"],
      ["/b/c/0", 3, "0", "true"],
      ["/b/c/1", 3, "1", "null"],
      ["/b/c/2", 3, "2", '"x"'],
      ["/d~1e", 1, "d/e", "{0}"],
    ]);
    expect(lines.find((l) => l.path === "/d~1e")?.expandable).toBe(false);
  });
  it("collapses a container's children and toggles back", () => {
    const collapsed = toggle(new Set(), "/b");
    const lines = flattenJson(value, collapsed);
    expect(lines.map((l) => l.path)).toEqual(["", "/a", "/b", "/d~1e"]);
    expect(lines[2].expanded).toBe(false);
    expect(toggle(collapsed, "/b").size).toBe(0);
  });
  it("parses only JSON objects and arrays", () => {
    expect(parseJsonContainer('{"n":1}')).toEqual({ n: 1 });
    expect(parseJsonContainer("[1]")).toEqual([1]);
    expect(parseJsonContainer("42")).toBeUndefined();
    expect(parseJsonContainer("{oops")).toBeUndefined();
    expect(parseJsonContainer(null)).toBeUndefined();
  });
});

describe("rate meter", () => {
  it("counts rows added per second from batch totals over the last 30 s", () => {
    const m = new RateMeter(30);
    m.record(10, 1_000);
    m.record(25, 1_500);
    m.record(30, 2_100);
    const s = m.series(2_900);
    expect(s).toHaveLength(30);
    expect(s.slice(-2)).toEqual([25, 5]);
    expect(m.series(40_000).every((n) => n === 0)).toBe(true);
  });
  it("starts over when the log is cleared", () => {
    const m = new RateMeter(5);
    m.record(100, 0);
    m.record(0, 500);
    m.record(3, 600);
    expect(m.series(600)[4]).toBe(103);
    m.reset(0);
    expect(m.series(600)[4]).toBe(0);
  });
  it("draws a sparkline scaled to the maximum", () => {
    expect(sparkline([0, 5, 10], 100, 20)).toBe("0.0,20.0 50.0,10.0 100.0,0.0");
    expect(sparkline([], 100, 20)).toBe("");
  });
});

describe("log filters", () => {
  it("builds the engine's filter and knows when it is open", () => {
    const all = new Set(KIND_CLASSES);
    expect(toFilter("all", all)).toEqual({ dir: "all", kinds: [] });
    expect(isOpen(toFilter("all", all))).toBe(true);
    expect(toFilter("in", new Set(["binary", "text"] as const))).toEqual({ dir: "in", kinds: ["text", "binary"] });
    expect(isOpen(toFilter("out", all))).toBe(false);
  });
  it("classes row kinds like the engine", () => {
    expect(["text", "binary", "close", "ping", "pong", "open", "error"].map(kindClass)).toEqual([
      "text", "binary", "close", "control", "control", "control", "control",
    ]);
  });
  it("finds a log row's place in a filtered view", () => {
    const idx = [2, 5, 9, 14];
    expect(idx.map((i) => positionOf(idx, i))).toEqual([0, 1, 2, 3]);
    expect([0, 6, 15].map((i) => positionOf(idx, i))).toEqual([-1, -1, -1]);
    expect(positionOf([], 1)).toBe(-1);
  });
  it("accumulates pages in order and restarts when the log shrinks", () => {
    const f = new FilteredIndex();
    expect(f.add(0, { indices: [1, 3], next: 5 })).toBe(true);
    expect(f.add(0, { indices: [1, 3], next: 5 })).toBe(false);
    expect(f.add(5, { indices: [7], next: 9 })).toBe(true);
    expect(f.indices).toEqual([1, 3, 7]);
    expect(f.resetIfShrunk(9)).toBe(false);
    expect(f.resetIfShrunk(2)).toBe(true);
    expect([f.indices, f.next]).toEqual([[], 0]);
  });
});

describe("compare summary", () => {
  const item = (ws: number | null, sse: number | null, match: boolean | null): CompareItemDto => ({
    key: "k", ws_ms: ws, sse_ms: sse, delta_ms: ws !== null && sse !== null ? sse - ws : null,
    payload_match: match, ws_payload: null, sse_payload: null,
  });
  it("computes nearest-rank percentiles", () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile([], 50)).toBeNull();
  });
  it("counts pairs, mismatches and one-sided items", () => {
    const s = liveSummary([item(0, 2, true), item(1, 5, false), item(3, null, null), item(null, 4, null), item(2, 3, true)]);
    expect(s).toEqual({ paired: 3, mismatched: 1, onlyWs: 1, onlySse: 1, p50: 2, p95: 4, max: 4 });
  });
});
