// The toast stack keeps a few, newest last, and a repeated confirmation replaces its twin.
import { describe, expect, it } from "vitest";
import { ACTION_TOAST_MS, dismissToast, makeToast, pushToast, TOAST_MS } from "./toasts";

describe("toasts", () => {
  it("keeps the newest few, newest last", () => {
    let list = [1, 2, 3, 4, 5].map((n) => makeToast(`t${n}`)).reduce((l, t) => pushToast(l, t, 3), [] as ReturnType<typeof makeToast>[]);
    expect(list.map((t) => t.text)).toEqual(["t3", "t4", "t5"]);
    list = dismissToast(list, list[1].id);
    expect(list.map((t) => t.text)).toEqual(["t3", "t5"]);
  });

  it("replaces a toast with the same text and gives action toasts longer", () => {
    const a = makeToast("Copied");
    const b = makeToast("Copied");
    expect(pushToast([a], b)).toEqual([b]);
    expect(a.ttlMs).toBe(TOAST_MS);
    expect(makeToast("Exported", { label: "Open folder", run: () => undefined }).ttlMs).toBe(ACTION_TOAST_MS);
  });
});
