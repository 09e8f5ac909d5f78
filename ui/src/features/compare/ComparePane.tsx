// The Compare view: a WebSocket URL and an SSE URL run side by side, items paired by a JSON pointer
// (or by order), a live table of pairs (virtualised) and a summary (missing, mismatches,
// p50/p95/max delta).
import { useEffect, useRef, useState } from "react";
import { backend, type AppError, type CompareItemDto, type CompareSummaryDto } from "../../ipc";
import { liveSummary, type LiveSummary } from "../../lib/compareStats";
import { frameCoalescer } from "../../lib/liveLog";
import { useVirtualRows } from "../../lib/useVirtualRows";

/** Items kept for the table (the oldest go first); the engine's summary at the end counts them all. */
const KEEP = 200_000;
/** The live summary is recomputed at most this often (it sorts every delta). */
const SUMMARY_EVERY_MS = 250;
const ROW_HEIGHT = 22;

const fmt = (ms: number | null) => (ms === null ? "—" : `${ms.toFixed(1)} ms`);

/** An empty row standing in for the rows above or below the drawn ones. */
function Spacer({ height }: { height: number }) {
  return (
    <tr className="spacer" aria-hidden>
      <td colSpan={5} style={{ height, padding: 0, border: 0 }} />
    </tr>
  );
}

export function ComparePane({ defaultWs, defaultSse }: { defaultWs: string; defaultSse: string }) {
  const [wsUrl, setWsUrl] = useState(defaultWs);
  const [sseUrl, setSseUrl] = useState(defaultSse);
  const [key, setKey] = useState("/id");
  const [id, setId] = useState<number | null>(null);
  // Items live outside React state (a batch appends in place); a render per frame shows them.
  const items = useRef<CompareItemDto[]>([]);
  const [, setShown] = useState(0);
  const [live, setLive] = useState<LiveSummary>(() => liveSummary([]));
  const summarizedAt = useRef(0);
  const [notes, setNotes] = useState<string[]>([]);
  const [summary, setSummary] = useState<CompareSummaryDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const current = useRef<number | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const redraw = useRef(frameCoalescer(() => setShown((n) => n + 1)));
  const rows = useVirtualRows(scrollRef, { count: items.current.length, rowHeight: ROW_HEIGHT, follow, onLeaveTail: () => setFollow(false) });
  const { first, last, top, height } = rows.win;

  useEffect(() => {
    const r = redraw.current;
    return () => {
      r.cancel();
      if (current.current !== null) void backend.compareStop(current.current);
    };
  }, []);

  const summarize = (force: boolean) => {
    const now = Date.now();
    if (!force && now - summarizedAt.current < SUMMARY_EVERY_MS) return;
    summarizedAt.current = now;
    setLive(liveSummary(items.current));
  };

  const start = async () => {
    if (current.current !== null) await backend.compareStop(current.current).catch(() => undefined);
    items.current = [];
    summarize(true);
    setFollow(true);
    setNotes([]);
    setSummary(null);
    setError(null);
    let mine: number | null = null;
    current.current = -1;
    try {
      mine = await backend.compareStart({ ws_url: wsUrl, sse_url: sseUrl, key }, (b) => {
        if (current.current !== mine) return;
        if (b.items.length) {
          const all = items.current;
          for (const it of b.items) all.push(it);
          if (all.length > KEEP) all.splice(0, all.length - KEEP);
          summarize(false);
          redraw.current.poke();
        }
        if (b.notes.length) setNotes((old) => [...old, ...b.notes].slice(-20));
        if (b.summary) setSummary(b.summary);
        if (b.done) { summarize(true); setId(null); current.current = null; }
      });
      current.current = mine;
      setId(mine);
    } catch (e) {
      current.current = null;
      setError((e as AppError).message);
    }
  };

  const stop = async () => {
    if (id !== null) await backend.compareStop(id).catch(() => undefined);
  };

  return (
    <section className="compare-pane" aria-label="Compare">
      <form className="connbar" onSubmit={(e) => { e.preventDefault(); void start(); }}>
        <input aria-label="Compare WebSocket URL" className="url" spellCheck={false} placeholder="ws://127.0.0.1:8080/feed" value={wsUrl} onChange={(e) => setWsUrl(e.target.value)} />
        <input aria-label="Compare SSE URL" className="url" spellCheck={false} placeholder="http://127.0.0.1:8080/sse" value={sseUrl} onChange={(e) => setSseUrl(e.target.value)} />
        <input aria-label="Key pointer" className="key" spellCheck={false} placeholder="/id (empty: by order)" value={key} onChange={(e) => setKey(e.target.value)} />
        {id === null ? <button type="submit" className="primary">Start compare</button> : <button type="button" onClick={() => void stop()}>Stop compare</button>}
      </form>
      {error && <div role="alert" className="error">{error}</div>}
      <div className="compare-summary" aria-label="Compare summary">
        {summary ? (
          <>
            <span>WS {summary.ws_items}</span> <span>SSE {summary.sse_items}</span> <span>matched {summary.matched}</span>{" "}
            <span>mismatched {summary.mismatched}</span> <span>missing on WS {summary.missing_on_ws}</span>{" "}
            <span>missing on SSE {summary.missing_on_sse}</span> <span>p50 {fmt(summary.p50_ms)}</span>{" "}
            <span>p95 {fmt(summary.p95_ms)}</span> <span>max {fmt(summary.max_ms)}</span>
          </>
        ) : (
          <>
            <span>paired {live.paired}</span> <span>mismatched {live.mismatched}</span> <span>only WS {live.onlyWs}</span>{" "}
            <span>only SSE {live.onlySse}</span> <span>p50 {fmt(live.p50)}</span> <span>p95 {fmt(live.p95)}</span> <span>max {fmt(live.max)}</span>
          </>
        )}
        {notes.length > 0 && <span className="muted"> · {notes[notes.length - 1]}</span>}
      </div>
      <div className="compare-table-wrap" ref={scrollRef} onScroll={rows.onScroll}>
        <table className="compare-table" aria-label="Compare items">
          <thead>
            <tr><th>key</th><th>WS</th><th>SSE</th><th>delta</th><th>payload</th></tr>
          </thead>
          <tbody>
            {top > 0 && <Spacer height={top} />}
            {items.current.slice(first, last).map((it, k) => (
              <tr key={k} data-key={it.key} style={{ height: ROW_HEIGHT }} className={it.payload_match === false ? "mismatch" : it.delta_ms === null ? "missing" : ""}>
                <td>{it.key}</td>
                <td>{it.ws_ms === null ? "missing" : fmt(it.ws_ms)}</td>
                <td>{it.sse_ms === null ? "missing" : fmt(it.sse_ms)}</td>
                <td>{fmt(it.delta_ms)}</td>
                <td title={it.ws_payload ?? it.sse_payload ?? ""}>{it.payload_match === null ? "—" : it.payload_match ? "same" : "differs"} {it.ws_payload ?? it.sse_payload ?? ""}</td>
              </tr>
            ))}
            {height - top - (last - first) * ROW_HEIGHT > 0 && (
              <Spacer height={height - top - (last - first) * ROW_HEIGHT} />
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
