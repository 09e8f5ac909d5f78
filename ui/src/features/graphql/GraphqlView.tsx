// The GraphQL tab of a request: the query editor (CodeMirror with GraphQL highlighting), variables and
// operation name, Run; the request's saved operations, each run with one click (or loaded into the
// editor); the operations list (running, complete, error, stopped; Stop on a running one) and the
// selected operation's `next` payloads as JSON trees. Raw frames stay in Messages and Frames.
import { useMemo, useState } from "react";
import { backend, type AppError, type SavedMessageDto } from "../../ipc";
import { useLiveVersion, type LiveLog } from "../../lib/liveLog";
import { gqlSession, nextOpId, operations, type OpMeta } from "../../lib/protoEvents";
import { CodeEditor } from "../ws/CodeEditor";
import { JsonTree } from "../ws/JsonTree";
import "../socketio/protoViews.css";

/** Results drawn at most for the selected operation (the newest). */
const SHOWN_RESULTS = 50;

/** What the UI asked each session's layer to run (the layer reports ids only), per live log. */
const metas = new WeakMap<LiveLog, Map<string, OpMeta>>();
function metaOf(live: LiveLog): Map<string, OpMeta> {
  let m = metas.get(live);
  if (!m) {
    m = new Map();
    metas.set(live, m);
  }
  return m;
}

interface Props {
  session: number | null;
  live: LiveLog;
  connected: boolean;
  ended: boolean;
  saved: SavedMessageDto[];
  onKeep(m: SavedMessageDto): void;
}

export function GraphqlView({ session, live, connected, ended, saved, onKeep }: Props) {
  useLiveVersion(live);
  const first = saved[0];
  const [query, setQuery] = useState(first?.body ?? "");
  const [variables, setVariables] = useState(first?.variables ?? "");
  const [opName, setOpName] = useState(first?.operation_name ?? "");
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [, setStarted] = useState(0);

  const meta = metaOf(live);
  const events = live.proto;
  const ops = useMemo(() => operations(events, meta, ended), [events, meta, ended, meta.size]);
  const info = useMemo(() => gqlSession(events), [events]);
  const lastError = info.errors[info.errors.length - 1];
  const current = ops.find((o) => o.id === selected) ?? ops[ops.length - 1] ?? null;

  const start = async (query: string, variables: string, opName: string, name?: string) => {
    if (session === null || session < 0) {
      setError("Connect first");
      return;
    }
    const id = nextOpId(meta);
    try {
      await backend.gqlStart(session, id, query, variables, opName);
      meta.set(id, { query, operationName: opName, name });
      setSelected(id);
      setStarted((n) => n + 1);
      setError(null);
    } catch (e) {
      setError((e as AppError).message);
    }
  };

  const run = () => start(query, variables, opName);
  const runSaved = (m: SavedMessageDto) => start(m.body, m.variables ?? "", m.operation_name ?? "", m.name);
  const load = (m: SavedMessageDto) => {
    setQuery(m.body);
    setVariables(m.variables ?? "");
    setOpName(m.operation_name ?? "");
  };
  const savedOps = saved.filter((m) => m.body.trim());

  const stop = async (id: string) => {
    if (session === null || session < 0) return;
    try {
      await backend.gqlStop(session, id);
    } catch (e) {
      setError((e as AppError).message);
    }
  };

  const results = current ? current.results.slice(-SHOWN_RESULTS) : [];
  const skipped = current ? current.results.length - results.length : 0;

  return (
    <div className="proto-view gql-view">
      <div className="gql-editors">
        <div className="gql-query">
          <CodeEditor label="Query" value={query} json={false} graphql invalid={false}
            placeholder="subscription { count(to: 5) }" onChange={setQuery} onSubmit={() => void run()} />
        </div>
        <div className="gql-vars">
          <CodeEditor label="Variables" value={variables} json invalid={false} placeholder='{"id": 1}' onChange={setVariables} onSubmit={() => void run()} />
          <input aria-label="Operation name" placeholder="operation name (optional)" value={opName} onChange={(e) => setOpName(e.target.value)} />
          <div className="row">
            <button type="button" disabled={!connected} onClick={() => void run()}>Run</button>
            <button type="button" title="Keep this operation with the request (Save stores it)" disabled={!query.trim()}
              onClick={() => onKeep({ name: opName.trim() || query.trim().split("\n")[0].slice(0, 40), kind: "text", body: query,
                variables: variables.trim() || undefined, operation_name: opName.trim() || undefined })}>Keep</button>
          </div>
        </div>
      </div>
      {savedOps.length > 0 && (
        <ul aria-label="Saved operations" className="gql-saved">
          {savedOps.map((m, i) => (
            <li key={i}>
              <button type="button" aria-label={`Run saved operation ${m.name}`} title={m.body} disabled={!connected}
                onClick={() => void runSaved(m)}>▶ {m.name}</button>
              <button type="button" className="link" aria-label={`Edit saved operation ${m.name}`} title="Load it into the editor"
                onClick={() => load(m)}>Edit</button>
            </li>
          ))}
        </ul>
      )}
      {error && <div className="error" aria-live="polite" data-testid="gql-error">{error}</div>}
      <div className="gql-session muted" aria-label="GraphQL session">
        {info.protocol ? `${info.protocol} · ${info.acked ? "connection_ack received" : "waiting for connection_ack"}` : "not connected"}
        {lastError && ` · ${info.errors.length} protocol error${info.errors.length === 1 ? "" : "s"}, last: ${lastError.code}: ${lastError.message}`}
      </div>
      <div className="gql-results">
        <ul aria-label="Operations" className="gql-ops">
          {ops.length === 0 && <li className="muted">Run an operation: its state and results show here.</li>}
          {ops.map((o) => (
            <li key={o.id} data-state={o.state} className={`gql-op state-${o.state}${current?.id === o.id ? " selected" : ""}`}>
              <button type="button" className="link" aria-label={`Show operation ${o.id}`} onClick={() => setSelected(o.id)}>
                #{o.id} {o.label}
              </button>
              <span className="op-state">{o.state}</span>
              <span className="muted"> {o.results.length} result{o.results.length === 1 ? "" : "s"}</span>
              {o.state === "running" && (
                <button type="button" aria-label={`Stop operation ${o.id}`} onClick={() => void stop(o.id)}>Stop</button>
              )}
            </li>
          ))}
        </ul>
        <div className="gql-payloads" aria-label="Results">
          {current && current.errors !== null && <JsonTree value={current.errors} label={`Errors of operation ${current.id}`} />}
          {skipped > 0 && <div className="muted">{skipped} earlier results not shown</div>}
          {results.map((r, i) => (
            <JsonTree key={skipped + i} value={r} label={`Result ${skipped + i + 1}`} />
          ))}
        </div>
      </div>
    </div>
  );
}
