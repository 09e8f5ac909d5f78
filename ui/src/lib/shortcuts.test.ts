import { describe, expect, it } from "vitest";
import { actionFor, displayKeys, matchCommands } from "./shortcuts";

const key = (k: string, o: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) =>
  ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...o });

describe("actionFor", () => {
  it("maps the issue's shortcuts with Ctrl, or Cmd on macOS", () => {
    expect(actionFor(key("k", { ctrlKey: true }), false, false)).toBe("palette");
    expect(actionFor(key("K", { metaKey: true }), true, true)).toBe("palette");
    expect(actionFor(key("Enter", { ctrlKey: true }), false, true)).toBe("send");
    expect(actionFor(key("Enter", { ctrlKey: true, shiftKey: true }), false, true)).toBe("toggleConnection");
    expect(actionFor(key("s", { ctrlKey: true }), false, true)).toBe("save");
    expect(actionFor(key("t", { ctrlKey: true }), false, false)).toBe("newTab");
    expect(actionFor(key("w", { ctrlKey: true }), false, false)).toBe("closeTab");
    expect(actionFor(key("f", { ctrlKey: true }), false, false)).toBe("searchLog");
    expect(actionFor(key("l", { ctrlKey: true }), false, false)).toBe("focusUrl");
    expect(actionFor(key("k", { metaKey: true }), false, false)).toBeNull();
    expect(actionFor(key("a"), false, false)).toBeNull();
  });
  it("leaves ? to a text field", () => {
    expect(actionFor(key("?", { shiftKey: true }), false, false)).toBe("help");
    expect(actionFor(key("?", { shiftKey: true }), false, true)).toBeNull();
  });
});

describe("displayKeys", () => {
  it("writes shortcuts for the OS", () => {
    expect(displayKeys("mod+shift+enter", false)).toBe("Ctrl+Shift+Enter");
    expect(displayKeys("mod+k", true)).toBe("⌘K");
  });
});

describe("matchCommands", () => {
  const items = [{ title: "Open demo" }, { title: "Toggle theme" }, { title: "Open request: Echo" }, { title: "New tab" }];
  it("keeps titles holding every word, exact and prefix matches first", () => {
    expect(matchCommands(items, "open").map((i) => i.title)).toEqual(["Open demo", "Open request: Echo"]);
    expect(matchCommands(items, "Open demo").map((i) => i.title)).toEqual(["Open demo"]);
    expect(matchCommands(items, "echo req").map((i) => i.title)).toEqual(["Open request: Echo"]);
    expect(matchCommands(items, "").length).toBe(4);
  });
});
