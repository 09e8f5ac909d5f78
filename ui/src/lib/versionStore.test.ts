// Tests of the batch counter the live views subscribe to.
import { describe, expect, it } from "vitest";
import { VersionStore } from "./versionStore";

describe("VersionStore", () => {
  it("counts bumps and tells subscribers until they leave", () => {
    const s = new VersionStore();
    const seen: number[] = [];
    const off = s.subscribe(() => seen.push(s.get()));
    s.bump();
    s.bump();
    off();
    s.bump();
    expect(seen).toEqual([1, 2]);
    expect(s.get()).toBe(3);
  });
});
