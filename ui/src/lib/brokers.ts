// STOMP and MQTT requests in the window until their own views exist: which protocols they are,
// and what a request's settings and saved messages say, read-only (the model is kept whole).
import type { RequestSpec, SavedMessageDto } from "../ipc";

export const BROKER_PROTOCOLS = { stomp: "STOMP", mqtt: "MQTT" } as const;
export type BrokerProtocol = keyof typeof BROKER_PROTOCOLS;

export const isBroker = (p: string): p is BrokerProtocol => p === "stomp" || p === "mqtt";

/** Why Connect is off for a STOMP or MQTT request, and what to do instead. */
export const brokerConnectTitle = (p: BrokerProtocol): string =>
  `The window cannot connect a ${BROKER_PROTOCOLS[p]} request yet: run it with sockpit run, or copy it as a sockpit ${p} command line`;

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
