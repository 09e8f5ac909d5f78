// Decoded protocol events of a layered session (Socket.IO, GraphQL), as pure functions for the views:
// Socket.IO acks threaded to the emit they answer and listeners that show or hide events by name;
// GraphQL operations (running, complete, error, stopped) with their results.
import type { ProtoEventDto } from "../ipc";

/** Decoded events a session keeps at most in the window; older ones drop first (the raw rows stay in the engine's log). */
export const MAX_PROTO_EVENTS = 5000;

/** Appends `more` to `list`, keeping the newest `max`; returns how many were dropped from the front. */
export function appendBounded<T>(list: T[], more: readonly T[], max = MAX_PROTO_EVENTS): number {
  list.push(...more);
  const over = list.length - max;
  if (over > 0) list.splice(0, over);
  return Math.max(0, over);
}

/** Parses an event's JSON `data`; the text itself when it is not JSON, undefined when empty. */
export function parseData(data: string): unknown {
  if (!data) return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/** One row of the Socket.IO events list. */
export interface SioRow {
  ev: ProtoEventDto;
  /** For an ack: the emit (or server event) it answers, when it is in the list. */
  answers: ProtoEventDto | null;
  /** For an event that asked for an ack: the ack, once it came. */
  ackedBy: ProtoEventDto | null;
  /** The event name the row counts under for the listeners (an ack: its emit's name). */
  name: string;
  /** Position in the events given (a stable list key). */
  seq: number;
}

const ackKey = (namespace: string, id: string, dir: string) => `${namespace}\u0000${id}\u0000${dir}`;

/**
 * Threads acks to their events: an ack that comes in answers our emit with the same namespace and id
 * (the latest such emit before it); an ack we send answers the server's event with that id.
 */
export function threadAcks(events: readonly ProtoEventDto[]): SioRow[] {
  const asked = new Map<string, SioRow>();
  const rows: SioRow[] = [];
  for (const [seq, ev] of events.entries()) {
    if (ev.kind === "event") {
      const row: SioRow = { ev, answers: null, ackedBy: null, name: ev.name, seq };
      if (ev.id !== null) asked.set(ackKey(ev.namespace, ev.id, ev.dir), row);
      rows.push(row);
    } else if (ev.kind === "ack" && ev.id !== null) {
      const from = ev.dir === "in" ? "out" : "in";
      const emit = asked.get(ackKey(ev.namespace, ev.id, from)) ?? null;
      if (emit) {
        emit.ackedBy = ev;
        asked.delete(ackKey(ev.namespace, ev.id, from));
      }
      rows.push({ ev, answers: emit?.ev ?? null, ackedBy: null, name: emit?.ev.name || ev.name, seq });
    } else {
      rows.push({ ev, answers: null, ackedBy: null, name: "", seq });
    }
  }
  return rows;
}

/** Event names seen, in first-seen order, for the listeners list. */
export function eventNames(events: readonly ProtoEventDto[]): string[] {
  const seen = new Set<string>();
  for (const ev of events) if (ev.kind === "event" && ev.name) seen.add(ev.name);
  return [...seen];
}

/** Rows the listeners let through: events and acks whose name is hidden are left out; session rows always show. */
export function listenerFilter(rows: readonly SioRow[], hidden: ReadonlySet<string>): SioRow[] {
  if (hidden.size === 0) return rows.slice();
  return rows.filter((r) => !(r.name && hidden.has(r.name)));
}

/** How a row reads in the list (the e2e looks for these words). */
export function sioSummary(r: SioRow): string {
  const { ev } = r;
  const ns = ev.namespace && ev.namespace !== "/" ? `${ev.namespace} ` : "";
  switch (ev.kind) {
    case "event":
      return `${ns}${ev.name} ${ev.data}${ev.id !== null ? ` (ack #${ev.id}${r.ackedBy ? " answered" : " pending"})` : ""}`;
    case "ack":
      return `${ns}ack #${ev.id ?? "?"} ${r.answers ? `↩ ${r.answers.name}` : "(no emit)"} ${ev.data}`;
    case "handshake":
      return `handshake sid ${ev.name}`;
    case "connected":
      return `connected ${ev.namespace}`;
    case "connect_error":
      return `connect_error ${ev.namespace} ${ev.data}`;
    case "disconnected":
      return `disconnected ${ev.namespace}`;
    case "protocol_error":
      return `${ev.name}: ${ev.data}`;
    default:
      return `${ev.kind} ${ev.data}`;
  }
}

export type OpState = "running" | "complete" | "error" | "stopped";

/** One GraphQL operation as the operations list shows it. */
export interface GqlOp {
  id: string;
  /** The operation name, or the document's first line. */
  label: string;
  state: OpState;
  /** `next` payloads, in order. */
  results: unknown[];
  /** The last `errors` array (terminal or in a result). */
  errors: unknown;
}

/** What the UI knows of an operation it started (the layer reports only ids). */
export interface OpMeta {
  query: string;
  operationName: string;
  /** The saved operation's name, when it was run from the request's saved operations. */
  name?: string;
}

export function opLabel(m: OpMeta | undefined, id: string): string {
  if (!m) return `#${id}`;
  const first = m.query.trim().split("\n")[0].replace(/\s*\{\s*$/, "").trim();
  return m.name?.trim() || m.operationName.trim() || first.slice(0, 60) || `#${id}`;
}

/**
 * Operations from the events, in the order they were started: `started` (or a start the UI asked for,
 * in `meta`) is running; `complete` completes; a terminal `error` ends it in error; `stopped` stops it.
 * A session that ended leaves its running operations stopped when `ended` is set.
 */
export function operations(events: readonly ProtoEventDto[], meta: ReadonlyMap<string, OpMeta>, ended = false): GqlOp[] {
  const ops = new Map<string, GqlOp>();
  const get = (id: string) => {
    let o = ops.get(id);
    if (!o) {
      o = { id, label: opLabel(meta.get(id), id), state: "running", results: [], errors: null };
      ops.set(id, o);
    }
    return o;
  };
  for (const id of meta.keys()) get(id);
  for (const ev of events) {
    if (ev.id === null) continue;
    switch (ev.kind) {
      case "started":
        get(ev.id);
        break;
      case "next":
        get(ev.id).results.push(parseData(ev.data));
        break;
      case "error": {
        const o = get(ev.id);
        o.errors = parseData(ev.data);
        if (ev.terminal) o.state = "error";
        break;
      }
      case "complete": {
        const o = get(ev.id);
        if (o.state === "running") o.state = "complete";
        break;
      }
      case "stopped": {
        const o = get(ev.id);
        if (o.state === "running") o.state = "stopped";
        break;
      }
    }
  }
  const out = [...ops.values()];
  if (ended) for (const o of out) if (o.state === "running") o.state = "stopped";
  return out;
}

/** The next free operation id for a session, after those already used. */
export function nextOpId(used: ReadonlyMap<string, unknown>): string {
  let n = used.size + 1;
  while (used.has(String(n))) n += 1;
  return String(n);
}

/** A GraphQL session's state line: the subprotocol the server picked, whether it acked, protocol errors. */
export interface GqlSession {
  protocol: string;
  acked: boolean;
  errors: { code: string; message: string }[];
}

export function gqlSession(events: readonly ProtoEventDto[]): GqlSession {
  const s: GqlSession = { protocol: "", acked: false, errors: [] };
  for (const ev of events) {
    if (ev.kind === "selected") {
      s.protocol = ev.name;
      s.acked = false;
    } else if (ev.kind === "connection_ack") s.acked = true;
    else if (ev.kind === "protocol_error") s.errors.push({ code: ev.name, message: ev.data });
  }
  return s;
}
