// The message log: a virtual list over the engine's log (rows fetched on demand), autoscroll, search.
import { useEffect, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { backend, type RowDto } from "../../ipc";
import { formatSize, formatTime, type LogModel } from "../../lib/logModel";

const ROW_HEIGHT = 24;

interface Props {
  session: number | null;
  model: LogModel;
  version: number;
}

function Row({ row }: { row: RowDto }) {
  const isData = row.kind === "text" || row.kind === "binary";
  return (
    <div
      className={`row row-${row.kind} dir-${row.dir}`}
      data-direction={row.dir}
      data-kind={row.kind}
      title={row.text}
    >
      <span className="t">{formatTime(row.t_ms)}</span>
      <span className="arrow" aria-hidden>{row.dir === "in" ? "↓" : "↑"}</span>
      <span className="kind">{row.kind}</span>
      <span className="payload">{row.text}</span>
      {isData && <span className="size">{formatSize(row.size)}</span>}
    </div>
  );
}

export function MessageLog({ session, model, version }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [, setFetched] = useState(0);
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<number[] | null>(null);
  const [hitAt, setHitAt] = useState(0);

  const v = useVirtualizer({
    count: model.total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = v.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index + 1 : 0;

  // Follow the tail while the user is at the bottom.
  useEffect(() => {
    if (follow && model.total > 0) v.scrollToIndex(model.total - 1, { align: "end" });
  }, [version, follow, model.total, v]);

  // Fetch rows the view needs and the cache lacks.
  useEffect(() => {
    const gap = model.missing(first, last);
    if (!gap || session === null) return;
    let live = true;
    backend
      .logRange(session, gap[0], gap[1])
      .then((rows) => {
        if (!live) return;
        model.insert(rows);
        model.evict(first, last);
        setFetched((n) => n + 1);
      })
      .catch(() => undefined);
    return () => { live = false; };
  }, [first, last, version, model, session]);

  const search = async (q: string) => {
    setQuery(q);
    if (!q || session === null) { setHits(null); return; }
    try {
      const found = await backend.logSearch(session, q, 0, 10000);
      setHits(found);
      setHitAt(0);
      if (found.length) { setFollow(false); v.scrollToIndex(found[0], { align: "center" }); }
    } catch {
      setHits([]);
    }
  };

  const jump = (delta: number) => {
    if (!hits || !hits.length) return;
    const next = (hitAt + delta + hits.length) % hits.length;
    setHitAt(next);
    setFollow(false);
    v.scrollToIndex(hits[next], { align: "center" });
  };

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
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Autoscroll
        </label>
        <span className="count">{model.total} rows</span>
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
            const row = model.row(it.index);
            const hit = hits && hits[hitAt] === it.index;
            return (
              <div
                key={it.key}
                className={hit ? "vrow hit" : "vrow"}
                style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${it.start}px)` }}
              >
                {row ? <Row row={row} /> : <div className="row loading">…</div>}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
