// Message rate for the log's small chart: per-second counts over the last ~30 s, computed from the
// row totals that batches carry (no per-message work in the UI).

export class RateMeter {
  private buckets = new Map<number, number>();
  private lastTotal = 0;

  constructor(private readonly seconds = 30) {}

  /** Takes a batch's row total at `nowMs`; rows added since the last batch count in this second. */
  record(total: number, nowMs: number): void {
    const added = total - this.lastTotal;
    this.lastTotal = total;
    if (added <= 0) return; // a cleared log starts over
    const sec = Math.floor(nowMs / 1000);
    this.buckets.set(sec, (this.buckets.get(sec) ?? 0) + added);
    for (const k of this.buckets.keys()) if (k <= sec - this.seconds) this.buckets.delete(k);
  }

  /** Counts of the last `seconds` whole seconds up to `nowMs`, oldest first. */
  series(nowMs: number): number[] {
    const sec = Math.floor(nowMs / 1000);
    const out: number[] = [];
    for (let s = sec - this.seconds + 1; s <= sec; s++) out.push(this.buckets.get(s) ?? 0);
    return out;
  }

  reset(total = 0): void {
    this.buckets.clear();
    this.lastTotal = total;
  }
}

/** SVG polyline points for `values` in a `w`×`h` box (0 at the bottom, the max at the top). */
export function sparkline(values: number[], w: number, h: number): string {
  if (values.length === 0) return "";
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  return values.map((v, i) => `${(i * step).toFixed(1)},${(h - (v / max) * h).toFixed(1)}`).join(" ");
}
