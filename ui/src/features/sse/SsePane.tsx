// The SSE pane beside the message log: URL, Subscribe/Unsubscribe, state and the Events log (a
// virtual list over the events kept in the UI, re-rendered at most once per frame). The active
// request's scripts run beside the stream: their `sp.log` lines are `script` rows in the Events
// log and their `test()` results show in the pane's Tests panel.
import { useCallback, useEffect, useRef, useState } from "react";
import { backend, type AppError, type RequestSpec, type ScriptTestDto, type SseRow, type SseState } from "../../ipc";
import { TestsPanel } from "../ws/TestsPanel";
import { formatTime } from "../../lib/logModel";
import { frameCoalescer } from "../../lib/liveLog";
import { useVirtualRows } from "../../lib/useVirtualRows";

/** Events kept in the pane; older ones scroll away. */
export const SSE_KEEP = 100_000;
const ROW_HEIGHT = 24;

/** Appends `more` to `list` in place, dropping the oldest once `cap` is passed by a tenth (amortised). */
export function appendCapped<T>(list: T[], more: T[], cap: number): T[] {
  for (const x of more) list.push(x);
  if (list.length > cap + cap / 10) list.splice(0, list.length - cap);
  return list;
}

interface Props {
  url: string;
  onUrl(url: string): void;
  /** The active request: its variables, headers, auth, TLS and proxy apply to the subscription. */
  request?: { spec: RequestSpec; collection: number | null; hookFile?: string | null; stopOnScriptError?: boolean };
  /** The request has scripts (or a hook file): the Tests panel shows. */
  scripted?: boolean;
  /** What became of scripts' `environment` variables as the subscription ended. */
  onVarsSaved?(text: string): void;
}

export function SsePane({ url, onUrl, request, scripted = false, onVarsSaved }: Props) {
  const [tests, setTests] = useState<ScriptTestDto[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [sub, setSub] = useState<number | null>(null);
  const [state, setState] = useState<SseState | null>(null);
  // Events live outside React state: a batch appends in place, a render per frame shows them.
  const rows = useRef<SseRow[]>([]);
  const [, setShown] = useState(0);
  const redraw = useRef(frameCoalescer(() => setShown((n) => n + 1)));
  const [follow, setFollow] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  const generation = useRef(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const view = useVirtualRows(scrollRef, { count: rows.current.length, rowHeight: ROW_HEIGHT, follow, onLeaveTail: () => setFollow(false) });
  const { first, last, top, height } = view.win;
  useEffect(() => {
    const r = redraw.current;
    return () => r.cancel();
  }, []);

  const subscribe = useCallback(async () => {
    rows.current = [];
    setShown((n) => n + 1);
    setFollow(true);
    setError(null);
    setNote(null);
    setState("Connecting");
    setTests([]);
    const gen = ++generation.current;
    try {
      const started = await backend.sseSubscribe(url, (b) => {
        if (gen !== generation.current) return; // a subscription the user has replaced
        if (b.state) setState(b.state);
        if (b.error) setError(b.error);
        if (b.tests.length) setTests((t) => [...t, ...b.tests]);
        for (const text of b.vars_saved) onVarsSaved?.(text);
        if (b.rows.length) {
          appendCapped(rows.current, b.rows, SSE_KEEP);
          redraw.current.poke();
        }
      }, request);
      setSub(started.id);
      if (started.auth_left_out) setNote(`The request's ${started.auth_left_out.replace(/_/g, "-")} auth needs a WebSocket; subscribed without it.`);
    } catch (e) {
      setError(e as AppError);
      setState(null);
    }
  }, [url, request, onVarsSaved]);

  const unsubscribe = useCallback(async () => {
    if (sub === null) return;
    // Its last batches still show: the ended row, and `after`'s tests in the Tests panel.
    await backend.sseUnsubscribe(sub).catch(() => undefined);
    setSub(null);
    setState("Closed");
  }, [sub]);

  const live = sub !== null && state !== "Closed";
  return (
    <section className="sse-pane" aria-label="Server-Sent Events">
      <form className="sse-bar" onSubmit={(e) => { e.preventDefault(); if (!live) void subscribe(); }}>
        <input aria-label="SSE URL" spellCheck={false} placeholder="http://127.0.0.1:8080/sse" value={url} onChange={(e) => onUrl(e.target.value)} />
        {live ? (
          <button type="button" onClick={() => void unsubscribe()}>Unsubscribe</button>
        ) : (
          <button type="submit" disabled={!url.trim()}>Subscribe</button>
        )}
        {state && <span className="sse-state">{state}</span>}
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Autoscroll
        </label>
      </form>
      {error && <div role="alert" className="error">{error.message}</div>}
      {note && <div role="note" className="notice">{note}</div>}
      <div className="log sse-log" role="log" aria-label="Events" tabIndex={0} ref={scrollRef} onScroll={view.onScroll}>
        <div style={{ height, position: "relative" }}>
          <div style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${top}px)` }}>
            {rows.current.slice(first, last).map((r, k) => (
              <div key={k} className={`row row-${r.kind}`} data-direction="in" data-kind={r.kind}>
                <span className="t">{formatTime(r.t_ms)}</span>
                <span className="kind">{r.kind === "event" ? r.event_type : r.kind}</span>
                {r.id && <span className="id">#{r.id}</span>}
                <span className="payload">{r.data}</span>
              </div>
            ))}
          </div>
        </div>
      </div>
      {(scripted || tests.length > 0) && <TestsPanel tests={tests} ended={state === "Closed"} />}
    </section>
  );
}
