// Tests for the Scripts tab's hook file and stop-on-error attachments (window state, per request).
import { describe, expect, it } from "vitest";
import { attachmentArgs, attachmentOf, loadAttachments, noAttachment, saveAttachments, STORAGE_KEY, withAttachment } from "./scriptAttachments";

describe("script attachments", () => {
  const unsaved = { key: "t1", storedId: null };
  const saved = { key: "t1", storedId: 7 };

  it("keeps an attachment per tab until saved, then per stored request", () => {
    let all = withAttachment({}, unsaved, { hookFile: "/h/round-trips.js", stopOnError: false });
    expect(attachmentOf(all, unsaved).hookFile).toBe("/h/round-trips.js");
    // Saved since: the tab's attachment still applies, and moves to the request when changed.
    expect(attachmentOf(all, saved).hookFile).toBe("/h/round-trips.js");
    all = withAttachment(all, saved, { hookFile: "/h/round-trips.js", stopOnError: true });
    expect(Object.keys(all)).toEqual(["request:7"]);
    // Another tab showing the same request sees it.
    expect(attachmentOf(all, { key: "t2", storedId: 7 })).toEqual({ hookFile: "/h/round-trips.js", stopOnError: true });
    expect(attachmentOf(all, { key: "t3", storedId: 8 })).toEqual(noAttachment());
  });

  it("drops a detached, unchecked attachment", () => {
    const all = withAttachment({}, saved, { hookFile: "/a.js", stopOnError: false });
    expect(withAttachment(all, saved, noAttachment())).toEqual({});
  });

  it("maps to ws_connect's arguments", () => {
    expect(attachmentArgs(noAttachment())).toEqual({});
    expect(attachmentArgs({ hookFile: "/a.js", stopOnError: true })).toEqual({ hook_file: "/a.js", stop_on_script_error: true });
  });

  it("survives a restart and ignores malformed entries", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveAttachments({ "request:1": { hookFile: "/a.js", stopOnError: false } }, storage);
    expect(loadAttachments(storage)).toEqual({ "request:1": { hookFile: "/a.js", stopOnError: false } });
    store.set(STORAGE_KEY, JSON.stringify({ a: null, b: { hookFile: 3 }, c: { stopOnError: true } }));
    expect(loadAttachments(storage)).toEqual({ c: { hookFile: null, stopOnError: true } });
    store.set(STORAGE_KEY, "{not json");
    expect(loadAttachments(storage)).toEqual({});
  });
});
