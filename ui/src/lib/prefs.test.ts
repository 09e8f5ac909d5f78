// Tests for preference loading: bad or partial stored data never breaks the window.
import { describe, expect, it } from "vitest";
import { loadPrefs, savePrefs } from "./prefs";

function mem() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe("prefs", () => {
  it("round-trips", () => {
    const s = mem();
    const p = { ...loadPrefs(s), url: "ws://x/echo", theme: "dark" as const, messages: ["a", "b"] };
    savePrefs(p, s);
    expect(loadPrefs(s)).toEqual(p);
  });
  it("survives garbage", () => {
    const s = mem();
    s.setItem("sockpit.prefs.v1", "{not json");
    expect(loadPrefs(s).url).toBe("");
    s.setItem("sockpit.prefs.v1", JSON.stringify({ url: 5, messages: ["ok", 3], theme: "pink" }));
    const p = loadPrefs(s);
    expect(p.url).toBe("");
    expect(p.messages).toEqual(["ok"]);
    expect(["light", "dark"]).toContain(p.theme);
  });
});
