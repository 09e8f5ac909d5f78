import { describe, expect, it } from "vitest";
import { layoutKey, layoutStorage } from "./layout";

describe("layoutStorage", () => {
  it("files each group under the window's label", () => {
    const m = new Map<string, string>();
    const backing = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
    const main = layoutStorage("main", backing);
    const other = layoutStorage("second", backing);
    main.setItem("columns", "[20,50,30]");
    expect(m.get(layoutKey("main", "columns"))).toBe("[20,50,30]");
    expect(main.getItem("columns")).toBe("[20,50,30]");
    expect(other.getItem("columns")).toBeNull();
  });

  it("never throws when storage fails", () => {
    const broken = { getItem: () => { throw new Error("x"); }, setItem: () => { throw new Error("full"); } };
    const s = layoutStorage("main", broken);
    expect(s.getItem("a")).toBeNull();
    expect(() => s.setItem("a", "b")).not.toThrow();
  });
});
