// The message log: a virtual list over the engine's log (rows fetched on demand), direction and type
// filters (the engine scans), search, autoscroll, the rate chart, clear and export, and the detail
// pane of the selected row.
import { useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { backend, type AppError, type RowDto } from "../../ipc";
import { formatSize, formatTime, type LogModel } from "../../lib/logModel";
import { FilteredIndex, KIND_CLASSES, isOpen, positionOf, toFilter, type DirFilter, type KindClass } from "../../lib/logFilter";
import { RateMeter } from "../../lib/rate";
import { RateChart } from "./RateChart";
import { RowDetailPane } from "./RowDetailPane";

const ROW_HEIGHT = 24;

interface Props {
  session: number | null;
  model: LogModel;
  version: number;
  /** Changes when the protobuf type changes (rows and detail are decoded again). */
  decodeKey?: string;
}

function Row({ row, selected, onSelect }: { row: RowDto; selected: boolean; onSelect(): void }) {
  const isData = row.kind === "text" || row.kind === "binary";
  return (
    <div
      className={`row row-${row.kind} dir-${row.dir}${selected ? " selected" : ""}`}
      data-direction={row.dir}
      data-kind={row.kind}
      data-index={row.index}
      aria-selected={selected}
      title={row.text}
      onClick={onSelect}
    >
      <span className="t">{formatTime(row.t_ms)}</span>
      <span className="arrow" aria-hidden>{row.dir === "in" ? "↓" : "↑"}</span>
      <span className="kind">{row.kind}</span>
      <span className="payload">{row.text}</span>
      {isData && <span className="size">{formatSize(row.size)}</span>}
    </div>
  );
}

export function MessageLog({ session, model, version, decodeKey = "" }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [, setFetched] = useState(0);
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<number[] | null>(null);
  const [hitAt, setHitAt] = useState(0);
  const [dir, setDir] = useState<DirFilter>("all");
  const [kinds, setKinds] = useState<ReadonlySet<KindClass>>(new Set(KIND_CLASSES));
  const [selected, setSelected] = useState<number | null>(null);
  const [exportPath, setExportPath] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const filter = useMemo(() => toFilter(dir, kinds), [dir, kinds]);
  const filtered = !isOpen(filter);
  const index = useMemo(() => new FilteredIndex(), [filter, session]); // eslint-disable-line react-hooks/exhaustive-deps
  const [scanned, setScanned] = useState(0);
  const meter = useMemo(() => new RateMeter(), [session]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => { meter.record(model.total, Date.now()); }, [version, model, meter]);
  useEffect(() => { setSelected(null); }, [session]);

  // Filtered view: the engine scans what is new since the last page.
  useEffect(() => {
    if (!filtered || session === null) return;
    if (index.resetIfShrunk(model.total)) setScanned((n) => n + 1);
    if (index.next >= model.total) return;
    let live = true;
    const from = index.next;
    backend
      .logSelect(session, filter, from, 100000)
      .then((page) => { if (live && index.add(from, page)) setScanned((n) => n + 1); })
      .catch(() => undefined);
    return () => { live = false; };
  }, [filtered, filter, index, session, version, scanned, model.total]);

  const count = filtered ? index.indices.length : model.total;
  const logIndex = (pos: number) => (filtered ? index.indices[pos] : pos);

  const v = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = v.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index + 1 : 0;

  // Follow the tail while the user is at the bottom.
  useEffect(() => {
    if (follow && count > 0) v.scrollToIndex(count - 1, { align: "end" });
  }, [version, follow, count, v]);

  // Fetch rows the view needs and the cache lacks.
  useEffect(() => {
    if (session === null) return;
    let live = true;
    const done = (rows: RowDto[]) => {
      if (!live) return;
      model.insert(rows);
      model.evict(logIndex(first) ?? 0, (logIndex(Math.max(first, last - 1)) ?? 0) + 1);
      setFetched((n) => n + 1);
    };
    if (filtered) {
      const want = index.indices.slice(first, last).filter((i) => !model.row(i));
      if (want.length) backend.logRows(session, want).then(done).catch(() => undefined);
    } else {
      const gap = model.missing(first, last);
      if (gap) backend.logRange(session, gap[0], gap[1]).then(done).catch(() => undefined);
    }
    return () => { live = false; };
  }, [first, last, version, model, session, filtered, index, scanned]); // eslint-disable-line react-hooks/exhaustive-deps

  // Decoded text depends on the protobuf type: read visible rows again when it changes.
  useEffect(() => {
    model.forget();
    setFetched((n) => n + 1);
  }, [decodeKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const search = async (q: string) => {
    setQuery(q);
    if (!q || session === null) { setHits(null); return; }
    try {
      const found = await backend.logSearch(session, q, 0, 10000);
      setHits(found);
      setHitAt(0);
      if (found.length) scrollToRow(found[0]);
    } catch {
      setHits([]);
    }
  };

  /** Scrolls to log row `li` (its place in the filtered view, when it passes the filter). */
  const scrollToRow = (li: number) => {
    const pos = filtered ? positionOf(index.indices, li) : li;
    if (pos < 0) return;
    setFollow(false);
    v.scrollToIndex(pos, { align: "center" });
  };

  const jump = (delta: number) => {
    if (!hits || !hits.length) return;
    const next = (hitAt + delta + hits.length) % hits.length;
    setHitAt(next);
    scrollToRow(hits[next]);
  };

  const clear = async () => {
    if (session === null) return;
    try {
      await backend.logClear(session);
      model.clear();
      meter.reset(0);
      index.resetIfShrunk(0);
      setSelected(null);
      setHits(null);
      setNotice("Log cleared");
      setFetched((n) => n + 1);
    } catch (e) {
      setNotice((e as AppError).message);
    }
  };

  const exportLog = async () => {
    if (session === null) return;
    try {
      const r = await backend.logExport(session, exportPath);
      setNotice(`Exported ${r.lines} rows to ${r.path}`);
    } catch (e) {
      setNotice((e as AppError).message);
    }
  };

  const toggleKind = (k: KindClass) =>
    setKinds((s) => {
      const n = new Set(s);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });

  return (
    <section className="log-pane" aria-label="Message log">
      <div className="log-bar">
        <input
          aria-label="Search messages"
          type="search"
          placeholder="Search messages"
          value={query}
          onChange={(e) => void search(e.target.value)}
          onKeyDown={(e) => { if (e.key === "Enter") jump(e.shiftKey ? -1 : 1); }}
        />
        {hits && <span className="hits">{hits.length ? `${hitAt + 1}/${hits.length}` : "no match"}</span>}
        <select aria-label="Direction" value={dir} onChange={(e) => setDir(e.target.value as DirFilter)}>
          <option value="all">All</option>
          <option value="in">Received</option>
          <option value="out">Sent</option>
        </select>
        <span role="group" aria-label="Types" className="kinds">
          {KIND_CLASSES.map((k) => (
            <label key={k} className="check">
              <input type="checkbox" checked={kinds.has(k)} onChange={() => toggleKind(k)} />
              {k}
            </label>
          ))}
        </span>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Autoscroll
        </label>
        <RateChart meter={meter} version={version} />
        <span className="count">{filtered ? `${count} of ${model.total}` : model.total} rows</span>
      </div>
      <div className="log-bar">
        <button type="button" onClick={() => void clear()} disabled={session === null}>Clear log</button>
        <input
          aria-label="Export path"
          placeholder="/path/to/log.jsonl"
          spellCheck={false}
          value={exportPath}
          onChange={(e) => setExportPath(e.target.value)}
        />
        <button type="button" onClick={() => void exportLog()} disabled={session === null || !exportPath.trim()}>Export log</button>
        {notice && <span className="notice log-notice" aria-live="polite">{notice}</span>}
      </div>
      <div
        ref={scrollRef}
        className="log"
        role="log"
        aria-label="Messages"
        tabIndex={0}
        onWheel={(e) => { if (e.deltaY < 0) setFollow(false); }}
      >
        <div style={{ height: v.getTotalSize(), position: "relative" }}>
          {items.map((it) => {
            const li = logIndex(it.index);
            const row = li === undefined ? undefined : model.row(li);
            const hit = hits && hits[hitAt] === li;
            return (
              <div
                key={it.key}
                className={hit ? "vrow hit" : "vrow"}
                style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${it.start}px)` }}
              >
                {row ? <Row row={row} selected={selected === li} onSelect={() => { setSelected(li); setFollow(false); }} /> : <div className="row loading">…</div>}
              </div>
            );
          })}
        </div>
      </div>
      <RowDetailPane session={session} index={selected} decodeKey={decodeKey} />
    </section>
  );
}
