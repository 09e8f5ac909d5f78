// The Socket.IO tab of a request: the emit composer (namespace, event name, JSON args, ack, volatile),
// the listeners that show or hide events by name, and the decoded events with acks threaded to their
// emit; a server event that asked for an ack has a Reply that answers it with JSON args. The raw
// Engine.IO frames stay in the Messages log and the Frames tab.
import { useMemo, useState } from "react";
import { backend, type AppError, type SavedMessageDto } from "../../ipc";
import { useLiveVersion, type LiveLog } from "../../lib/liveLog";
import { eventNames, listenerFilter, parseData, sioSummary, threadAcks, type SioRow } from "../../lib/protoEvents";
import { CodeEditor } from "../ws/CodeEditor";
import { JsonTree } from "../ws/JsonTree";
import "./protoViews.css";

/** Rows drawn at most (the newest); the rest stay in the session. */
const SHOWN = 300;

interface Props {
  session: number | null;
  live: LiveLog;
  connected: boolean;
  /** The request's namespaces (the first is where emits go by default). */
  namespaces: string[];
  saved: SavedMessageDto[];
  onKeep(m: SavedMessageDto): void;
}

export function SocketIoView({ session, live, connected, namespaces, saved, onKeep }: Props) {
  useLiveVersion(live);
  const [namespace, setNamespace] = useState("");
  const [event, setEvent] = useState("");
  const [args, setArgs] = useState("");
  const [ack, setAck] = useState(false);
  const [volatile, setVolatile] = useState(false);
  /** The server event being answered (it asked for an ack), and the reply's arguments. */
  const [replying, setReplying] = useState<SioRow | null>(null);
  const [replyArgs, setReplyArgs] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<SioRow | null>(null);

  const events = live.proto;
  const rows = useMemo(() => threadAcks(events), [events]);
  const names = useMemo(() => eventNames(events), [events]);
  const shown = useMemo(() => listenerFilter(rows, hidden).slice(-SHOWN), [rows, hidden]);
  const defaultNs = namespaces[0] || "/";

  const emit = async () => {
    if (session === null || session < 0) {
      setError("Connect first");
      return;
    }
    try {
      await backend.sioEmit(session, namespace.trim() || defaultNs, event, args, ack, volatile);
      setError(null);
    } catch (e) {
      setError((e as AppError).message);
    }
  };

  const reply = async () => {
    if (!replying || replying.ev.id === null) return;
    if (session === null || session < 0) {
      setError("Connect first");
      return;
    }
    try {
      await backend.sioAck(session, replying.ev.namespace, Number(replying.ev.id), replyArgs);
      setReplying(null);
      setError(null);
    } catch (e) {
      setError((e as AppError).message);
    }
  };

  const startReply = (r: SioRow) => {
    setReplying(r);
    setReplyArgs("");
  };
  // A reply already sent (or the row gone) closes the form.
  const replyOpen = replying !== null && !rows.some((r) => r.ev === replying.ev && r.ackedBy);

  const load = (i: number) => {
    const m = saved[i];
    if (!m) return;
    setEvent(m.event ?? "");
    setNamespace(m.namespace ?? "");
    setArgs(m.body);
    setAck(m.ack ?? false);
  };

  const toggle = (name: string) =>
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });

  return (
    <div className="proto-view sio-view">
      <div className="sio-composer">
        <label className="field"><span>Namespace</span>
          <input aria-label="Namespace" placeholder={defaultNs} value={namespace} onChange={(e) => setNamespace(e.target.value)} /></label>
        <label className="field"><span>Event</span>
          <input aria-label="Event" placeholder="event name" value={event} onChange={(e) => setEvent(e.target.value)}
            onKeyDown={(e) => { if (e.key === "Enter") void emit(); }} /></label>
        <div className="sio-args">
          <CodeEditor label="Arguments" value={args} json invalid={false} placeholder='["hello", {"n": 1}] (a JSON array of arguments, or one value)'
            onChange={setArgs} onSubmit={() => void emit()} />
        </div>
        <label className="check"><input type="checkbox" checked={ack} onChange={(e) => setAck(e.target.checked)} />Ack</label>
        <label className="check" title="Volatile: dropped (and said so in the events) when the namespace is not connected, instead of queued until it is">
          <input type="checkbox" checked={volatile} onChange={(e) => setVolatile(e.target.checked)} />Volatile</label>
        <button type="button" disabled={!connected} onClick={() => void emit()}>Emit</button>
        <button type="button" title="Keep this emit with the request (Save stores it)" disabled={!event.trim()}
          onClick={() => onKeep({ name: event.trim(), kind: "json", body: args, event: event.trim(), namespace: namespace.trim() || undefined, ack })}>Keep</button>
        {saved.some((m) => m.event) && (
          <select aria-label="Saved emits" value="" onChange={(e) => load(Number(e.target.value))}>
            <option value="" disabled>Saved emits…</option>
            {saved.map((m, i) => m.event ? <option key={i} value={i}>{m.name}</option> : null)}
          </select>
        )}
      </div>
      {error && <div className="error" aria-live="polite" data-testid="sio-error">{error}</div>}
      <fieldset className="listeners" aria-label="Listeners">
        <legend>Listeners</legend>
        {names.length === 0 && <span className="muted">Events show here by name as they come.</span>}
        {names.map((n) => (
          <label key={n} className="check"><input type="checkbox" checked={!hidden.has(n)} onChange={() => toggle(n)} />{n}</label>
        ))}
      </fieldset>
      <div role="log" aria-label="Socket.IO events" className="proto-log">
        {live.protoDropped > 0 && <div className="muted">{live.protoDropped} older events not shown</div>}
        {shown.map((r) => (
          <div key={r.seq} data-direction={r.ev.dir} data-kind={r.ev.kind}
            className={`proto-row dir-${r.ev.dir} kind-${r.ev.kind}${r.answers ? " threaded" : ""}${selected === r ? " selected" : ""}`}
            onClick={() => setSelected(r)}>
            <span className="t">{r.ev.t_ms.toFixed(1)}</span>
            <span className="arrow">{r.ev.dir === "in" ? "↓" : "↑"}</span>
            <span className="text">{sioSummary(r)}</span>
            {r.ev.kind === "event" && r.ev.dir === "in" && r.ev.id !== null && !r.ackedBy && (
              <button type="button" className="link" aria-label={`Reply to ${r.ev.name} #${r.ev.id}`}
                title="Answer this event's ack request with JSON arguments"
                onClick={(e) => { e.stopPropagation(); startReply(r); }}>Reply</button>
            )}
          </div>
        ))}
      </div>
      {replyOpen && replying && (
        <div role="group" aria-label="Ack reply" className="sio-reply">
          <span className="muted">ack #{replying.ev.id} to {replying.ev.name} on {replying.ev.namespace}</span>
          <div className="sio-args">
            <CodeEditor label="Ack arguments" value={replyArgs} json invalid={false} placeholder='["ok"] (a JSON array of arguments, or one value)'
              onChange={setReplyArgs} onSubmit={() => void reply()} />
          </div>
          <button type="button" disabled={!connected} onClick={() => void reply()}>Send ack</button>
          <button type="button" onClick={() => setReplying(null)}>Cancel</button>
        </div>
      )}
      {selected && selected.ev.data && (
        <div className="proto-detail">
          <JsonTree value={parseData(selected.ev.data)} label="Event arguments" />
        </div>
      )}
    </div>
  );
}
