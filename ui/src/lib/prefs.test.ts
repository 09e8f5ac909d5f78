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
    const p = { ...loadPrefs(s), url: "ws://x/echo", theme: "dark" as const, messages: [{ name: "a", kind: "text" as const, body: "a" }, { name: "ping", kind: "hex" as const, body: "89 00" }] };
    savePrefs(p, s);
    expect(loadPrefs(s)).toEqual(p);
  });
  it("survives garbage", () => {
    const s = mem();
    s.setItem("sockpit.prefs.v1", "{not json");
    expect(loadPrefs(s).url).toBe("");
    s.setItem("sockpit.prefs.v1", JSON.stringify({ url: 5, messages: ["ok", 3, { body: "x", kind: "nope" }, { name: "n" }], theme: "pink" }));
    const p = loadPrefs(s);
    expect(p.url).toBe("");
    // Plain strings (saved before messages had names) are text messages named after their first line.
    expect(p.messages).toEqual([{ name: "ok", kind: "text", body: "ok" }, { name: "x", kind: "text", body: "x" }]);
    expect(["light", "dark"]).toContain(p.theme);
  });
});
