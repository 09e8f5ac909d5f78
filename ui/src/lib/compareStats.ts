// Live Compare summary from the items paired so far (the engine's own summary replaces it at the end).
import type { CompareItemDto } from "../ipc";

export interface LiveSummary {
  paired: number;
  mismatched: number;
  onlyWs: number;
  onlySse: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function liveSummary(items: CompareItemDto[]): LiveSummary {
  const deltas: number[] = [];
  let mismatched = 0;
  let onlyWs = 0;
  let onlySse = 0;
  for (const it of items) {
    if (it.delta_ms !== null) deltas.push(it.delta_ms);
    if (it.payload_match === false) mismatched++;
    if (it.ws_ms !== null && it.sse_ms === null) onlyWs++;
    if (it.ws_ms === null && it.sse_ms !== null) onlySse++;
  }
  deltas.sort((a, b) => a - b);
  return {
    paired: deltas.length,
    mismatched,
    onlyWs,
    onlySse,
    p50: percentile(deltas, 50),
    p95: percentile(deltas, 95),
    max: deltas.length ? deltas[deltas.length - 1] : null,
  };
}
