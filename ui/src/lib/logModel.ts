// The UI side of a session log: a row count and a bounded cache of rows; the engine holds the log.
import type { RowDto } from "../ipc";

/** Rows kept in memory at most; the rest is read again from the engine when scrolled to. */
export const CACHE_LIMIT = 5000;

export class LogModel {
  total = 0;
  private rows = new Map<number, RowDto>();
  /** The rows the view shows (kept when the cache is trimmed). */
  private keep: [number, number] = [0, 0];

  get cached(): number {
    return this.rows.size;
  }

  row(index: number): RowDto | undefined {
    return this.rows.get(index);
  }

  /** Takes a batch's total and tail rows. A smaller total means the log was cleared: rows past it go. */
  apply(total: number, tail: RowDto[]): void {
    if (total < this.total) {
      for (const i of this.rows.keys()) if (i >= total) this.rows.delete(i);
    }
    this.total = total;
    this.insert(tail);
  }

  /** Drops the cached rows but keeps the total (rows are read again, e.g. decoded differently). */
  forget(): void {
    this.rows.clear();
  }

  /** Adds rows, then trims the cache if it went over its limit. */
  insert(rows: RowDto[]): void {
    for (const r of rows) this.rows.set(r.index, r);
    if (this.rows.size > CACHE_LIMIT) this.trim();
  }

  /** Tells the cache which rows the view shows; they survive trimming. */
  view(start: number, end: number): void {
    this.keep = [start, end];
  }

  /** The smallest range within [start, end) with rows not cached, or null when all are there. */
  missing(start: number, end: number): [number, number] | null {
    end = Math.min(end, this.total);
    let lo = -1;
    let hi = -1;
    for (let i = Math.max(0, start); i < end; i++) {
      if (!this.rows.has(i)) {
        if (lo < 0) lo = i;
        hi = i + 1;
      }
    }
    return lo < 0 ? null : [lo, hi];
  }

  /** Drops cached rows far from the view and from the tail, down to well under the limit. */
  private trim(): void {
    const margin = CACHE_LIMIT / 8;
    const [start, end] = this.keep;
    const tail = this.total - CACHE_LIMIT / 8;
    for (const i of this.rows.keys()) {
      if ((i < start - margin || i >= end + margin) && i < tail) this.rows.delete(i);
    }
  }

  clear(): void {
    this.total = 0;
    this.rows.clear();
  }
}

/** Formats a row's time (ms since the session started) as seconds with milliseconds. */
export function formatTime(tMs: number): string {
  return `${(tMs / 1000).toFixed(3)}s`;
}

/** Short size label: 12 B, 3.4 KB, 1.2 MB. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
