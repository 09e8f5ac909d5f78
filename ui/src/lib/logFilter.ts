// Message log filters: direction and type classes, and the filtered index list the virtual list
// shows (indexes only; the engine scans the log with `log_select` and holds the rows).
import type { LogFilter } from "../ipc";

export type DirFilter = "all" | "in" | "out";
export const KIND_CLASSES = ["text", "binary", "control", "close"] as const;
export type KindClass = (typeof KIND_CLASSES)[number];

/** The filter DTO; every class selected means no type filter. */
export function toFilter(dir: DirFilter, kinds: ReadonlySet<KindClass>): LogFilter {
  const all = KIND_CLASSES.every((k) => kinds.has(k));
  return { dir, kinds: all ? [] : KIND_CLASSES.filter((k) => kinds.has(k)) };
}

/** Whether the filter lets every row through (the plain, unfiltered list is used then). */
export function isOpen(f: LogFilter): boolean {
  return f.dir === "all" && f.kinds.length === 0;
}

/** The type class of a row kind, as the engine classes it. */
export function kindClass(kind: string): KindClass {
  if (kind === "text" || kind === "binary" || kind === "close") return kind;
  return "control";
}

/** Matching row indexes found so far and where the engine's scan goes on. */
export class FilteredIndex {
  indices: number[] = [];
  next = 0;

  /** Adds a page from `log_select`; pages arriving out of order (from an old scan) are ignored. */
  add(from: number, page: { indices: number[]; next: number }): boolean {
    if (from !== this.next) return false;
    for (const i of page.indices) this.indices.push(i);
    this.next = page.next;
    return true;
  }

  /** The log was cleared (its total dropped below what was scanned): start again. */
  resetIfShrunk(total: number): boolean {
    if (total >= this.next) return false;
    this.indices = [];
    this.next = 0;
    return true;
  }
}

/** Where log row `logIndex` sits in the sorted `indices` of a filtered view, or -1 when filtered out. */
export function positionOf(indices: readonly number[], logIndex: number): number {
  let lo = 0;
  let hi = indices.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (indices[mid] < logIndex) lo = mid + 1;
    else hi = mid;
  }
  return lo < indices.length && indices[lo] === logIndex ? lo : -1;
}
