// The composer's draft per request tab: the message text and its mode, kept while the tab is open
// and restored when it is shown again (one composer is shared by every tab).
import type { SendMode } from "../ipc";

export interface Draft {
  mode: SendMode;
  body: string;
}

export const EMPTY_DRAFT: Draft = { mode: "text", body: "" };

/** Drafts keyed by request tab. */
export class Drafts {
  private byTab = new Map<string, Draft>();

  /** The tab's draft, or the empty one for a tab never typed in. */
  get(tab: string): Draft {
    return this.byTab.get(tab) ?? EMPTY_DRAFT;
  }

  set(tab: string, d: Draft): void {
    if (d.body === "" && d.mode === "text") this.byTab.delete(tab);
    else this.byTab.set(tab, d);
  }

  /** Drops the drafts of tabs no longer open. */
  retain(open: readonly string[]): void {
    const keep = new Set(open);
    for (const k of [...this.byTab.keys()]) if (!keep.has(k)) this.byTab.delete(k);
  }

  get size(): number {
    return this.byTab.size;
  }
}
