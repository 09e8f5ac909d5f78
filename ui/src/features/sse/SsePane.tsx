// The SSE pane beside the message log: URL, Subscribe/Unsubscribe, state and the Events log.
import { useCallback, useRef, useState } from "react";
import { backend, type AppError, type SseRow, type SseState } from "../../ipc";
import { formatTime } from "../../lib/logModel";

/** Events kept in the pane; older ones scroll away. */
export const SSE_KEEP = 2000;

export function appendCapped<T>(list: T[], more: T[], cap: number): T[] {
  const next = list.concat(more);
  return next.length > cap ? next.slice(next.length - cap) : next;
}

interface Props {
  url: string;
  onUrl(url: string): void;
}

export function SsePane({ url, onUrl }: Props) {
  const [sub, setSub] = useState<number | null>(null);
  const [state, setState] = useState<SseState | null>(null);
  const [rows, setRows] = useState<SseRow[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  const generation = useRef(0);

  const subscribe = useCallback(async () => {
    setRows([]);
    setError(null);
    setState("Connecting");
    const gen = ++generation.current;
    try {
      const mine = await backend.sseSubscribe(url, (b) => {
        if (gen !== generation.current) return; // a subscription the user has replaced
        if (b.state) setState(b.state);
        if (b.error) setError(b.error);
        if (b.rows.length) setRows((r) => appendCapped(r, b.rows, SSE_KEEP));
      });
      setSub(mine);
    } catch (e) {
      setError(e as AppError);
      setState(null);
    }
  }, [url]);

  const unsubscribe = useCallback(async () => {
    if (sub === null) return;
    generation.current++;
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
      </form>
      {error && <div role="alert" className="error">{error.message}</div>}
      <div className="log sse-log" role="log" aria-label="Events" tabIndex={0}>
        {rows.map((r, i) => (
          <div key={i} className={`row row-${r.kind}`} data-direction="in" data-kind={r.kind}>
            <span className="t">{formatTime(r.t_ms)}</span>
            <span className="kind">{r.kind === "event" ? r.event_type : r.kind}</span>
            {r.id && <span className="id">#{r.id}</span>}
            <span className="payload">{r.data}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
