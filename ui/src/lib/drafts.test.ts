// The composer's drafts are kept per tab, and a closed tab's draft goes.
import { describe, expect, it } from "vitest";
import { Drafts, EMPTY_DRAFT } from "./drafts";

describe("Drafts", () => {
  it("keeps one draft per tab", () => {
    const d = new Drafts();
    d.set("a", { mode: "json", body: '{"a":1}' });
    d.set("b", { mode: "hex", body: "de ad" });
    expect(d.get("a")).toEqual({ mode: "json", body: '{"a":1}' });
    expect(d.get("b")).toEqual({ mode: "hex", body: "de ad" });
    expect(d.get("c")).toEqual(EMPTY_DRAFT);
  });

  it("forgets the drafts of closed tabs and empty drafts", () => {
    const d = new Drafts();
    d.set("a", { mode: "text", body: "x" });
    d.set("b", { mode: "text", body: "y" });
    d.retain(["b"]);
    expect(d.get("a")).toEqual(EMPTY_DRAFT);
    expect(d.size).toBe(1);
    d.set("b", EMPTY_DRAFT);
    expect(d.size).toBe(0);
  });
});
