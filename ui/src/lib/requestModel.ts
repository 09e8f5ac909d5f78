// The request editor's model: a blank request, the Auth and Settings forms and their mapping onto
// the store model's JSON (collection/model.rs, collection/auth.rs: `deny_unknown_fields`, so only the
// fields of the chosen pattern are sent), and what the connect command takes.
import type { ConnectArgs, KvDto, RequestSpec } from "../ipc";
import { blankScripts } from "./scripts";

/** Every auth pattern the engine has, with the label the Auth tab shows. */
export const AUTH_TYPES = [
  ["none", "None"],
  ["bearer", "Bearer token"],
  ["basic", "Basic"],
  ["api_key", "API key"],
  ["query_token", "Query token"],
  ["subprotocol_token", "Subprotocol token"],
  ["first_message", "First message"],
  ["cookie_login", "Cookie login"],
  ["ticket", "Ticket"],
  ["oauth2_client_credentials", "OAuth2 client credentials"],
  ["client_certificate", "Client certificate"],
] as const;

export type AuthType = (typeof AUTH_TYPES)[number][0];

/** The Auth tab's fields; which ones count depends on `type`. */
export interface AuthForm {
  type: AuthType;
  token: string;
  username: string;
  password: string;
  name: string;
  value: string;
  location: "header" | "query";
  message: string;
  ack: string;
  timeoutMs: string;
  method: string;
  url: string;
  headers: KvDto[];
  body: string;
  bodySecret: boolean;
  extractKind: "pointer" | "header" | "regex";
  extract: string;
  into: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  cert: string;
  key: string;
}

export function blankAuth(): AuthForm {
  return {
    type: "none", token: "", username: "", password: "", name: "", value: "", location: "header",
    message: "", ack: "", timeoutMs: "", method: "POST", url: "", headers: [], body: "", bodySecret: false,
    extractKind: "pointer", extract: "/ticket", into: "query:ticket", tokenUrl: "", clientId: "",
    clientSecret: "", scope: "", cert: "", key: "",
  };
}

const num = (s: string): number | undefined => {
  const t = s.trim();
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
};
const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const kvList = (v: unknown): KvDto[] =>
  Array.isArray(v)
    ? v.map((k) => ({ name: str(k?.name), value: str(k?.value), enabled: k?.enabled !== false }))
    : [];
const enabledKvs = (l: KvDto[]) => l.filter((k) => k.name.trim()).map((k) => (k.enabled ? { name: k.name, value: k.value } : k));

/** The model's `Auth` JSON for the form. */
export function authToModel(f: AuthForm): Record<string, unknown> {
  const opt = (k: string, v: string | undefined | number) => (v === undefined || v === "" ? {} : { [k]: v });
  switch (f.type) {
    case "none": return { type: "none" };
    case "bearer": return { type: "bearer", token: f.token };
    case "basic": return { type: "basic", username: f.username, password: f.password };
    case "api_key": return { type: "api_key", name: f.name, value: f.value, in: f.location };
    case "query_token": return { type: "query_token", name: f.name, token: f.token };
    case "subprotocol_token": return { type: "subprotocol_token", token: f.token };
    case "first_message":
      return { type: "first_message", message: f.message, ack: f.ack, ...opt("timeout_ms", num(f.timeoutMs)) };
    case "cookie_login":
      return {
        type: "cookie_login", method: f.method || "POST", url: f.url,
        ...(f.headers.length ? { headers: enabledKvs(f.headers) } : {}),
        ...opt("body", f.body), ...(f.bodySecret ? { body_secret: true } : {}),
      };
    case "ticket":
      return {
        type: "ticket", method: f.method || "POST", url: f.url,
        ...(f.headers.length ? { headers: enabledKvs(f.headers) } : {}),
        ...opt("body", f.body), ...(f.bodySecret ? { body_secret: true } : {}),
        extract: { [f.extractKind]: f.extract },
        into: f.into || "query:ticket",
        ...(f.into === "message" && f.message
          ? { first_message: { message: f.message, ack: f.ack, ...opt("timeout_ms", num(f.timeoutMs)) } }
          : {}),
      };
    case "oauth2_client_credentials":
      return {
        type: "oauth2_client_credentials", token_url: f.tokenUrl, client_id: f.clientId,
        client_secret: f.clientSecret, ...opt("scope", f.scope),
      };
    case "client_certificate": return { type: "client_certificate", cert: f.cert, key: f.key };
  }
}

/** The form for a stored `Auth` JSON (unknown shapes fall back to none). */
export function authFromModel(m: Record<string, unknown> | null | undefined): AuthForm {
  const f = blankAuth();
  const t = str(m?.type) as AuthType;
  if (!m || !AUTH_TYPES.some(([k]) => k === t)) return f;
  f.type = t;
  f.token = str(m.token);
  f.username = str(m.username);
  f.password = str(m.password);
  f.name = str(m.name);
  f.value = str(m.value);
  f.location = m.in === "query" ? "query" : "header";
  f.method = str(m.method) || "POST";
  f.url = str(m.url);
  f.headers = kvList(m.headers);
  f.body = str(m.body);
  f.bodySecret = m.body_secret === true;
  f.tokenUrl = str(m.token_url);
  f.clientId = str(m.client_id);
  f.clientSecret = str(m.client_secret);
  f.scope = str(m.scope);
  f.cert = str(m.cert);
  f.key = str(m.key);
  const fm = (t === "ticket" ? (m.first_message as Record<string, unknown> | undefined) : m) ?? {};
  f.message = str(fm.message);
  f.ack = str(fm.ack);
  f.timeoutMs = str(fm.timeout_ms);
  if (t === "ticket") {
    f.into = str(m.into) || "query:ticket";
    const ex = (m.extract ?? { pointer: "/ticket" }) as Record<string, unknown>;
    const kind = (["pointer", "header", "regex"] as const).find((k) => k in ex) ?? "pointer";
    f.extractKind = kind;
    f.extract = str(ex[kind]);
  }
  return f;
}

/** The Settings tab's fields (text inputs keep what is typed; empty means the engine default). */
export interface SettingsForm {
  handshakeTimeoutMs: string;
  reconnectBaseMs: string;
  reconnectMaxMs: string;
  maxRetries: string;
  pingIntervalMs: string;
  pingTimeoutMs: string;
  heartbeatMessage: string;
  heartbeatIntervalMs: string;
  heartbeatExpect: string;
  heartbeatTimeoutMs: string;
  deflate: boolean;
  maxMessageSize: string;
}

export function blankSettings(): SettingsForm {
  return {
    handshakeTimeoutMs: "", reconnectBaseMs: "", reconnectMaxMs: "", maxRetries: "", pingIntervalMs: "",
    pingTimeoutMs: "", heartbeatMessage: "", heartbeatIntervalMs: "", heartbeatExpect: "", heartbeatTimeoutMs: "",
    deflate: true, maxMessageSize: "",
  };
}

/** The model's `Settings` JSON; sections without their required values are left out. */
export function settingsToModel(f: SettingsForm, keep: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Fields the tab does not edit (sockpit run's timeout, protobuf) are kept as they were.
  for (const k of ["timeout_ms", "proto", "socketio", "graphql", "stomp", "mqtt"]) if (keep[k] !== undefined) out[k] = keep[k];
  const hs = num(f.handshakeTimeoutMs);
  if (hs !== undefined) out.handshake_timeout_ms = hs;
  const base = num(f.reconnectBaseMs), max = num(f.reconnectMaxMs), retries = num(f.maxRetries);
  if (base !== undefined || max !== undefined || retries !== undefined) {
    out.reconnect = { base_ms: base ?? 500, max_ms: max ?? 30000, ...(retries !== undefined ? { max_retries: retries } : {}) };
  }
  const pi = num(f.pingIntervalMs);
  if (pi !== undefined) out.ping = { interval_ms: pi, timeout_ms: num(f.pingTimeoutMs) ?? 10000 };
  const hi = num(f.heartbeatIntervalMs);
  if (f.heartbeatMessage && hi !== undefined) {
    out.heartbeat = {
      interval_ms: hi, message: f.heartbeatMessage,
      ...(f.heartbeatExpect ? { expect: f.heartbeatExpect } : {}),
      timeout_ms: num(f.heartbeatTimeoutMs) ?? 10000,
    };
  }
  if (!f.deflate) out.deflate = false;
  const mm = num(f.maxMessageSize);
  if (mm !== undefined) out.max_message_size = mm;
  return out;
}

export function settingsFromModel(m: Record<string, unknown> | null | undefined): SettingsForm {
  const f = blankSettings();
  if (!m) return f;
  const o = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
  f.handshakeTimeoutMs = str(m.handshake_timeout_ms);
  const r = o(m.reconnect);
  f.reconnectBaseMs = str(r.base_ms);
  f.reconnectMaxMs = str(r.max_ms);
  f.maxRetries = str(r.max_retries);
  const p = o(m.ping);
  f.pingIntervalMs = str(p.interval_ms);
  f.pingTimeoutMs = str(p.timeout_ms);
  const h = o(m.heartbeat);
  f.heartbeatMessage = str(h.message);
  f.heartbeatIntervalMs = str(h.interval_ms);
  f.heartbeatExpect = str(h.expect);
  f.heartbeatTimeoutMs = str(h.timeout_ms);
  f.deflate = m.deflate !== false;
  f.maxMessageSize = str(m.max_message_size);
  return f;
}

export function blankSpec(url = "", protocol = "websocket"): RequestSpec {
  return {
    name: "", protocol, url, params: [], headers: [], subprotocols: [], auth: { type: "none" }, settings: {},
    messages: [], sse_url: "", extras: { ca_file: "", insecure: false, proxy: "", deflate_params: "" },
    scripts: blankScripts(),
  };
}

/** What `ws_connect` takes for a tab. */
export function connectArgs(
  spec: RequestSpec,
  opts: { reconnect: boolean; previous: number | null; recordFrames?: boolean; collection?: number | null; requestId?: number | null },
): ConnectArgs {
  return {
    url: spec.url.trim(),
    reconnect: opts.reconnect,
    subprotocols: [],
    headers: [],
    previous: opts.previous,
    record_frames: opts.recordFrames ?? false,
    spec,
    collection: opts.collection ?? undefined,
    request_id: opts.requestId ?? undefined,
  } as ConnectArgs;
}
