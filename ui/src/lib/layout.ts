// Pane sizes kept across restarts, per window: react-resizable-panels saves each group's layout
// through this storage, in localStorage (where the window's other preferences live) under the
// window's label, so a second window would keep its own sizes.

/** The storage react-resizable-panels reads and writes layouts through. */
export interface LayoutStorage {
  getItem(name: string): string | null;
  setItem(name: string, value: string): void;
}

const PREFIX = "sockpit.layout.v1";

/** The key a group's layout is kept under for one window. */
export function layoutKey(window: string, group: string): string {
  return `${PREFIX}.${window}.${group}`;
}

/** A storage that files every group under `window`; it never throws (sizes are a convenience). */
export function layoutStorage(window: string, backing: Pick<Storage, "getItem" | "setItem"> | undefined = globalThis.localStorage): LayoutStorage {
  return {
    getItem(name) {
      try {
        return backing?.getItem(layoutKey(window, name)) ?? null;
      } catch {
        return null;
      }
    },
    setItem(name, value) {
      try {
        backing?.setItem(layoutKey(window, name), value);
      } catch {
        // Storage full or unavailable: the default sizes come back next time.
      }
    },
  };
}
