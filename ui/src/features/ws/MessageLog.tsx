// The message log: a virtual list over the engine's log (rows fetched on demand), direction and type
// filters (the engine scans), search, autoscroll, the rate chart, clear and export, and the detail
// pane of the selected row.
import { useEffect, useMemo, useRef, useState } from "react";
import { backend, pickSavePath, type AppError, type RowDto } from "../../ipc";
import { FILTERS } from "../../lib/fileKinds";
import { formatSize, formatTime } from "../../lib/logModel";
import { FilteredIndex, KIND_CLASSES, isOpen, positionOf, toFilter, type DirFilter, type KindClass } from "../../lib/logFilter";
import { useLiveVersion, type LiveLog } from "../../lib/liveLog";
import { useVirtualRows } from "../../lib/useVirtualRows";
import { RateChart } from "./RateChart";
import { RowDetailPane } from "./RowDetailPane";
import { Panel, SplitGroup, SplitHandle, type ImperativePanelHandle } from "../layout/Split";
import { useExportToast } from "../toasts/useCopy";

const ROW_HEIGHT = 24;

interface Props {
  session: number | null;
  live: LiveLog;
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
      <span className="arrow" aria-hidden>{row.kind === "script" ? "⚙" : row.dir === "in" ? "↓" : "↑"}</span>
      <span className="kind">{row.kind}</span>
      <span className="payload">{row.text}</span>
      {isData && <span className="size">{formatSize(row.size)}</span>}
    </div>
  );
}

export function MessageLog({ session, live, decodeKey = "" }: Props) {
  const version = useLiveVersion(live);
  const model = live.model;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [, setFetched] = useState(0);
  const [query, setQuery] = useState("");
  // Every row matching the search; `hits` are those the current filter shows.
  const [allHits, setHits] = useState<number[] | null>(null);
  const [hitAt, setHitAt] = useState(0);
  const [dir, setDir] = useState<DirFilter>("all");
  const [kinds, setKinds] = useState<ReadonlySet<KindClass>>(new Set(KIND_CLASSES));
  const [selected, setSelected] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const exported = useExportToast();
  const filter = useMemo(() => toFilter(dir, kinds), [dir, kinds]);
  const filtered = !isOpen(filter);
  const index = useMemo(() => new FilteredIndex(), [filter, session]); // eslint-disable-line react-hooks/exhaustive-deps
  const [scanned, setScanned] = useState(0);
  // Bumped when cached rows stop being valid (log cleared, decoded differently): older reads are dropped.
  const generation = useRef(0);
  const inflight = useRef("");

  useEffect(() => { setSelected(null); }, [session]);
  // The detail pane stays folded away until a row is selected.
  const detailPanel = useRef<ImperativePanelHandle>(null);
  useEffect(() => {
    if (selected !== null && detailPanel.current?.isCollapsed()) detailPanel.current.resize(30);
  }, [selected]);

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
  const shown = (found: number[]) => (filtered ? found.filter((li) => positionOf(index.indices, li) >= 0) : found);
  const hits = useMemo(() => (allHits ? shown(allHits) : null), [allHits, filtered, index, scanned]); // eslint-disable-line react-hooks/exhaustive-deps
  const logIndex = (pos: number) => (filtered ? index.indices[pos] : pos);

  /** Reads the rows around view positions [first, last) the cache lacks (a screenful either side). */
  const ensure = (first: number, last: number) => {
    if (session === null || last <= first) return;
    const span = last - first;
    const lo = Math.max(0, first - span);
    const hi = Math.min(count, last + span);
    if (hi <= lo) return;
    model.view(logIndex(lo) ?? 0, (logIndex(hi - 1) ?? 0) + 1);
    let want: number[] | null = null;
    let gap: [number, number] | null = null;
    if (filtered) {
      want = index.indices.slice(lo, hi).filter((i) => !model.row(i));
      if (!want.length) return;
    } else {
      gap = model.missing(lo, hi);
      if (!gap) return;
    }
    const key = `${generation.current}:${want ? `${want[0]}+${want.length}` : gap!.join("-")}`;
    if (inflight.current === key) return;
    inflight.current = key;
    const gen = generation.current;
    const m = model;
    const done = (rows: RowDto[]) => {
      if (inflight.current === key) inflight.current = "";
      if (gen !== generation.current) return;
      m.insert(rows);
      setFetched((n) => n + 1);
    };
    const read = want ? backend.logRows(session, want) : backend.logRange(session, gap![0], gap![1]);
    read.then(done).catch(() => { if (inflight.current === key) inflight.current = ""; });
  };

  const rows = useVirtualRows(scrollRef, {
    count,
    rowHeight: ROW_HEIGHT,
    follow,
    onLeaveTail: () => setFollow(false),
    onRange: ensure,
  });
  const { first, last, top, height } = rows.win;

  // Rows the view needs and the cache lacks (also after batches, filters and decoding changes).
  useEffect(() => {
    ensure(first, last);
  }, [first, last, version, session, filtered, index, scanned, decodeKey]); // eslint-disable-line react-hooks/exhaustive-deps

  // Decoded text depends on the protobuf type: read visible rows again when it changes.
  useEffect(() => {
    generation.current++;
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
      const visible = shown(found);
      if (visible.length) scrollToRow(visible[0]);
    } catch {
      setHits([]);
    }
  };

  /** Scrolls to log row `li` (its place in the filtered view, when it passes the filter). */
  const scrollToRow = (li: number) => {
    const pos = filtered ? positionOf(index.indices, li) : li;
    if (pos < 0) return;
    setFollow(false);
    rows.scrollToIndex(pos, "center");
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
      generation.current++;
      live.cleared();
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
    const exportPath = await pickSavePath({ title: "Export the log as JSON Lines", defaultPath: "sockpit-log.jsonl", filters: FILTERS.log });
    if (!exportPath) return;
    try {
      const r = await backend.logExport(session, exportPath);
      exported(`Exported ${r.lines} rows to ${r.path}`, r.path);
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
        {hits && <span className="hits">{hits.length ? `${Math.min(hitAt, hits.length - 1) + 1}/${hits.length}` : allHits?.length ? "none in this view" : "no match"}</span>}
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
        <RateChart meter={live.meter} version={version} />
        <span className="count">{filtered ? `${count} of ${model.total}` : model.total} rows</span>
        <button type="button" onClick={() => void clear()} disabled={session === null}>Clear log</button>
        <button type="button" onClick={() => void exportLog()} disabled={session === null} title="Save the rows as JSON Lines (the OS dialog asks where)">Export log</button>
        {notice && <span className="notice log-notice" aria-live="polite">{notice}</span>}
      </div>
      <SplitGroup id="log-detail" direction="vertical" className="log-split">
      <Panel id="log" order={1} defaultSize={72} minSize={35} className="pane">
      <div
        ref={scrollRef}
        className="log"
        role="log"
        aria-label="Messages"
        tabIndex={0}
        onScroll={rows.onScroll}
      >
        <div style={{ height, position: "relative" }}>
          <div style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${top}px)` }}>
            {Array.from({ length: last - first }, (_, k) => {
              const pos = first + k;
              const li = logIndex(pos);
              const row = li === undefined ? undefined : model.row(li);
              const hit = hits && hits[hitAt] === li;
              return (
                <div key={k} className={hit ? "vrow hit" : "vrow"} style={{ height: ROW_HEIGHT }}>
                  {row ? <Row row={row} selected={selected === li} onSelect={() => { setSelected(li); setFollow(false); }} /> : <div className="row loading">…</div>}
                </div>
              );
            })}
          </div>
        </div>
      </div>
      </Panel>
      <SplitHandle label="Resize message detail" direction="vertical" />
      <Panel id="detail" order={2} ref={detailPanel} defaultSize={0} minSize={15} collapsible collapsedSize={0} className="pane">
        <RowDetailPane session={session} index={selected} decodeKey={decodeKey} />
      </Panel>
      </SplitGroup>
    </section>
  );
}
