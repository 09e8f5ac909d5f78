// STOMP and MQTT requests in the window: which protocols they are, what a request's settings and
// saved messages say, the live subscriptions list (the saved ones first) with a count of messages
// received per subscription, and one line per decoded frame or packet.
import type { ProtoEventDto, RequestSpec, SavedMessageDto } from "../ipc";

export const BROKER_PROTOCOLS = { stomp: "STOMP", mqtt: "MQTT" } as const;
export type BrokerProtocol = keyof typeof BROKER_PROTOCOLS;

export const isBroker = (p: string): p is BrokerProtocol => p === "stomp" || p === "mqtt";

/** One line per subscription: `destination (ack)` for STOMP, `filter (QoS n)` for MQTT. */
export function brokerSubscriptions(p: BrokerProtocol, settings: RequestSpec["settings"]): string[] {
  const own = settings[p] as { subscriptions?: Record<string, unknown>[] } | undefined;
  return (own?.subscriptions ?? []).map((s) =>
    p === "stomp"
      ? `${String(s.destination ?? "")}${s.ack ? ` (ack ${String(s.ack)})` : ""}`
      : `${String(s.filter ?? "")} (QoS ${String(s.qos ?? 0)})`,
  );
}

/** Where a saved SEND or publish goes, and how: `/queue/a` or `a/b · QoS 1 · retained`. */
export function brokerTarget(p: BrokerProtocol, m: SavedMessageDto): string {
  if (p === "stomp") return [m.destination ?? "(no destination)", ...(m.headers ?? [])].join(" · ");
  return [m.topic ?? "(no topic)", `QoS ${m.qos ?? 0}`, ...(m.retain ? ["retained"] : [])].join(" · ");
}

/** A live subscription: STOMP `key` is the subscription id, MQTT's the topic filter. */
export interface BrokerSub {
  key: string;
  /** STOMP destination or MQTT topic filter. */
  target: string;
  /** STOMP ack mode or MQTT QoS, as shown. */
  mode: string;
  /** Added during the session: only messages after this time (ms, the session's clock) count. */
  since?: number;
}

/** The request's saved subscriptions, as `ws_connect` subscribes them (STOMP ids `sub-N` unless named). */
export function savedSubs(p: BrokerProtocol, settings: RequestSpec["settings"]): BrokerSub[] {
  const own = settings[p] as { subscriptions?: Record<string, unknown>[] } | undefined;
  return (own?.subscriptions ?? []).map((s, i) =>
    p === "stomp"
      ? { key: s.id ? String(s.id) : `sub-${i}`, target: String(s.destination ?? ""), mode: String(s.ack ?? "auto") }
      : { key: String(s.filter ?? ""), target: String(s.filter ?? ""), mode: String(s.qos ?? 0) },
  );
}

/** Whether MQTT topic `topic` matches filter `filter` (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return !(i === 0 && topic.startsWith("$"));
    if (i >= t.length) return false;
    if (f[i] === "+") {
      if (i === 0 && topic.startsWith("$")) return false;
      continue;
    }
    if (f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether `ev` is a message received (a STOMP MESSAGE, an MQTT PUBLISH in). */
const received = (p: BrokerProtocol, ev: ProtoEventDto): boolean =>
  ev.dir === "in" && (p === "stomp" ? ev.kind === "frame" && ev.name === "MESSAGE" : ev.kind === "packet" && ev.name === "publish");

/** Messages received per subscription key: STOMP by the MESSAGE's subscription, MQTT by filter match. */
export function subscriptionCounts(p: BrokerProtocol, subs: BrokerSub[], events: ProtoEventDto[]): Map<string, number> {
  const counts = new Map(subs.map((s) => [s.key, 0]));
  for (const ev of events) {
    if (!received(p, ev)) continue;
    for (const s of subs) {
      if (s.since !== undefined && ev.t_ms <= s.since) continue;
      if (p === "stomp" ? ev.id === s.key : topicMatches(s.target, ev.namespace)) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
    }
  }
  return counts;
}

/** A decoded frame/packet's JSON (`data`), or null. */
function dataOf(ev: ProtoEventDto): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(ev.data);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** One line for a decoded STOMP/MQTT event: command/type, destination/topic, and the body/payload. */
export function brokerSummary(ev: ProtoEventDto): string {
  if (ev.kind === "protocol_error") return `${ev.name}: ${ev.data}`;
  const d = dataOf(ev);
  if (ev.kind === "frame") {
    const body = d && typeof d.body === "string" ? d.body : d && d.body_b64 ? "(binary body)" : "";
    return [ev.name, ev.namespace, ev.id ? `[${ev.id}]` : "", body].filter(Boolean).join(" ");
  }
  if (ev.kind === "packet") {
    const parts = [ev.name.toUpperCase(), ev.namespace];
    if (d && ev.name === "publish") parts.push(`QoS ${String(d.qos)}`, d.retain ? "retained" : "", typeof d.payload === "string" ? d.payload : "(binary payload)");
    else if (d && (ev.name === "connack" || ev.name === "disconnect" || ev.name.startsWith("pub"))) parts.push(String(d.reason ?? ""));
    else if (d && ev.name === "suback") parts.push(`granted ${JSON.stringify(d.granted)}`);
    if (ev.id) parts.push(`#${ev.id}`);
    return parts.filter(Boolean).join(" ");
  }
  if (ev.kind === "receipt") return `RECEIPT ${ev.id ?? ""} for ${ev.name}`;
  if (ev.kind === "receipt_waiting") return `waiting for RECEIPT ${ev.id ?? ""} (${ev.name})`;
  return [ev.kind, ev.name, ev.data].filter(Boolean).join(" ");
}
