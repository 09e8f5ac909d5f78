// The Frames tab: every recorded WebSocket frame (direction, FIN, RSV1-3, opcode, mask, length),
// virtualised like the log and read from the engine in ranges.
import { useEffect, useRef, useState } from "react";
import { backend, type FrameDto } from "../../ipc";
import { formatTime } from "../../lib/logModel";
import { useLiveVersion, type LiveLog } from "../../lib/liveLog";
import { useVirtualRows } from "../../lib/useVirtualRows";

const ROW_HEIGHT = 22;

interface Props {
  session: number | null;
  /** The session's live side (frames recorded so far come with its batches). */
  live: LiveLog;
  recording: boolean;
}

export function FramesTab({ session, live, recording }: Props) {
  useLiveVersion(live);
  const total = live.frames;
  const scrollRef = useRef<HTMLDivElement>(null);
  const cache = useRef(new Map<number, FrameDto>());
  const [, setFetched] = useState(0);
  const [follow, setFollow] = useState(true);

  useEffect(() => { cache.current.clear(); }, [session]);

  const rows = useVirtualRows(scrollRef, { count: total, rowHeight: ROW_HEIGHT, follow, onLeaveTail: () => setFollow(false) });
  const { first, last, top, height } = rows.win;

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
      <div ref={scrollRef} className="log" role="log" aria-label="Frame log" tabIndex={0} onScroll={rows.onScroll}>
        <div style={{ height, position: "relative" }}>
          <div style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${top}px)` }}>
            {Array.from({ length: last - first }, (_, k) => {
              const f = cache.current.get(first + k);
              return (
                <div key={k} className="vrow" style={{ height: ROW_HEIGHT }}>
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
      </div>
    </section>
  );
}
