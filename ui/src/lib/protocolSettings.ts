// The protocol settings a Socket.IO or GraphQL request keeps in its model's `settings.socketio` /
// `settings.graphql` (collection/model.rs, `deny_unknown_fields`): the editor's form and the mapping
// both ways, empty fields left out. JSON fields (auth, init payload) are checked here for the
// editor's early hint; the engine checks them again once variables are rendered.

export const PROTOCOLS = [
  ["websocket", "WebSocket"],
  ["socketio", "Socket.IO"],
  ["graphql", "GraphQL"],
  ["stomp", "STOMP"],
  ["mqtt", "MQTT"],
  ["sse", "SSE"],
] as const;

export type ProtocolId = (typeof PROTOCOLS)[number][0];

export const protocolLabel = (p: string): string => PROTOCOLS.find(([id]) => id === p)?.[1] ?? "WebSocket";

export interface SocketIoForm {
  path: string;
  /** One per line. */
  namespaces: string;
  auth: string;
  eio: "auto" | "3" | "4";
  transport: "polling" | "websocket";
}

export interface GraphqlForm {
  subprotocol: "auto" | "graphql-transport-ws" | "graphql-ws";
  init: string;
  ackTimeoutMs: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown) => (typeof v === "string" ? v : "");

export function socketioFromModel(settings: Obj): SocketIoForm {
  const s = obj(settings.socketio);
  const ns = Array.isArray(s.namespaces) ? s.namespaces.filter((n): n is string => typeof n === "string") : [];
  return {
    path: str(s.path),
    namespaces: ns.join("\n"),
    auth: str(s.auth),
    eio: s.eio === 3 ? "3" : s.eio === 4 ? "4" : "auto",
    transport: s.transport === "websocket" ? "websocket" : "polling",
  };
}

/** `settings` with its `socketio` part replaced by the form's (left out when all default). */
export function socketioToModel(f: SocketIoForm, settings: Obj): Obj {
  const s: Obj = {};
  if (f.path.trim()) s.path = f.path.trim();
  const ns = f.namespaces.split("\n").map((n) => n.trim()).filter(Boolean);
  if (ns.length) s.namespaces = ns;
  if (f.auth.trim()) s.auth = f.auth;
  if (f.eio !== "auto") s.eio = Number(f.eio);
  if (f.transport === "websocket") s.transport = "websocket";
  const out = { ...settings };
  if (Object.keys(s).length) out.socketio = s;
  else delete out.socketio;
  return out;
}

export function graphqlFromModel(settings: Obj): GraphqlForm {
  const g = obj(settings.graphql);
  const sp = str(g.subprotocol);
  return {
    subprotocol: sp === "graphql-transport-ws" || sp === "graphql-ws" ? sp : "auto",
    init: str(g.init),
    ackTimeoutMs: typeof g.ack_timeout_ms === "number" ? String(g.ack_timeout_ms) : "",
  };
}

export function graphqlToModel(f: GraphqlForm, settings: Obj): Obj {
  const g: Obj = {};
  if (f.subprotocol !== "auto") g.subprotocol = f.subprotocol;
  if (f.init.trim()) g.init = f.init;
  const ms = Number(f.ackTimeoutMs);
  if (f.ackTimeoutMs.trim() && Number.isFinite(ms) && ms >= 0) g.ack_timeout_ms = Math.round(ms);
  const out = { ...settings };
  if (Object.keys(g).length) out.graphql = g;
  else delete out.graphql;
  return out;
}

/** The request's namespaces, for where emits go by default. */
export function namespacesOf(settings: Obj): string[] {
  return socketioFromModel(settings).namespaces.split("\n").filter(Boolean);
}

/**
 * Why JSON text with `{{variables}}` is not JSON, or null when it is (or is empty). Variables are
 * replaced by a number first, so `{"token": "{{t}}"}` and `{"n": {{n}}}` both pass.
 */
export function jsonHint(text: string): string | null {
  if (!text.trim()) return null;
  try {
    JSON.parse(text.replace(/\{\{[^}]*\}\}/g, "0"));
    return null;
  } catch (e) {
    return `Not JSON: ${(e as Error).message}`;
  }
}
