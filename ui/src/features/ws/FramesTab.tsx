// The Frames tab: every recorded WebSocket frame (direction, FIN, RSV1-3, opcode, mask, length),
// virtualised like the log and read from the engine in ranges.
import { useEffect, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { backend, type FrameDto } from "../../ipc";
import { formatTime } from "../../lib/logModel";

const ROW_HEIGHT = 22;

interface Props {
  session: number | null;
  /** Frames recorded so far (from batches). */
  total: number;
  recording: boolean;
}

export function FramesTab({ session, total, recording }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const cache = useRef(new Map<number, FrameDto>());
  const [, setFetched] = useState(0);
  const [follow, setFollow] = useState(true);

  useEffect(() => { cache.current.clear(); }, [session]);

  const v = useVirtualizer({ count: total, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 20 });
  const items = v.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index + 1 : 0;

  useEffect(() => {
    if (follow && total > 0) v.scrollToIndex(total - 1, { align: "end" });
  }, [total, follow, v]);

  useEffect(() => {
    if (session === null) return;
    let lo = -1;
    let hi = -1;
    for (let i = first; i < last; i++) if (!cache.current.has(i)) { if (lo < 0) lo = i; hi = i + 1; }
    if (lo < 0) return;
    let live = true;
    backend.framesRange(session, lo, hi).then((rows) => {
      if (!live) return;
      if (cache.current.size > 20000) cache.current.clear();
      for (const r of rows) cache.current.set(r.index, r);
      setFetched((n) => n + 1);
    }).catch(() => undefined);
    return () => { live = false; };
  }, [session, first, last, total]);

  return (
    <section className="frames-pane" aria-label="Frames">
      <div className="log-bar">
        <span className="count">{total} frames</span>
        {!recording && <span className="muted">Tick “Record frames” and connect to record frames.</span>}
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Autoscroll
        </label>
      </div>
      <div className="frame-row frame-head" aria-hidden>
        <span>time</span><span>dir</span><span>FIN</span><span>RSV1</span><span>RSV2</span><span>RSV3</span><span>opcode</span><span>mask</span><span>len</span>
      </div>
      <div ref={scrollRef} className="log" role="log" aria-label="Frame log" tabIndex={0} onWheel={(e) => { if (e.deltaY < 0) setFollow(false); }}>
        <div style={{ height: v.getTotalSize(), position: "relative" }}>
          {items.map((it) => {
            const f = cache.current.get(it.index);
            return (
              <div key={it.key} className="vrow" style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${it.start}px)` }}>
                {f ? (
                  <div className={`frame-row dir-${f.dir}`} data-direction={f.dir} data-opcode={f.opcode}>
                    <span>{formatTime(f.t_ms)}</span>
                    <span>{f.dir === "in" ? "↓ in" : "↑ out"}</span>
                    <span>{f.fin ? "1" : "0"}</span>
                    <span>{f.rsv1 ? "1" : "0"}</span>
                    <span>{f.rsv2 ? "1" : "0"}</span>
                    <span>{f.rsv3 ? "1" : "0"}</span>
                    <span className="opcode">{f.opcode}</span>
                    <span>{f.masked ? f.mask : "—"}</span>
                    <span>{f.len}</span>
                  </div>
                ) : <div className="frame-row loading">…</div>}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
